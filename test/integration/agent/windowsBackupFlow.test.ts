import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, inject, it } from 'vitest';

import { AgentFixture, type AgentFixtureOptions } from '../../support/agentFixture.js';
import { uniqueName } from '../../support/hostProcess.js';

const script = '#!/bin/sh\necho "$QUIESCE_PHASE"\n';

describe('a Windows-style agent with the simulated VSS helper', () => {
  let vm: AgentFixture;
  const start = async (windows: AgentFixtureOptions['windows'] = {}) => {
    vm = new AgentFixture({
      connectionString: inject('azuriteConnectionString'),
      windows,
      scripts: { 'pre.sh': script, 'post.sh': script },
      config: { fsfreeze: { enabled: false } },
    });
    await vm.setUp();
    return vm.startAgent();
  };
  afterEach(() => vm.tearDown());

  it('pings, freezes through VSS with a copy-only backup of chosen writers, and thaws on command', async () => {
    const helperStartsLog = path.join(os.tmpdir(), `${uniqueName('vss-starts')}.log`);
    const helperStarts = async () => (await readFile(helperStartsLog, 'utf8')).split('\n').filter(Boolean).length;
    await start({ helperStartsLog });
    await vm.send('ping', {});
    const pong = await vm.waitForReply('pong');
    expect(pong.body).toMatchObject({
      os: { family: 'windows' },
      quiescers: { vss: { usable: true }, fsfreeze: { usable: false } },
    });
    expect(await helperStarts()).toBe(1);

    await vm.send('freeze', {
      maxFrozenSeconds: 30,
      preScript: { name: 'pre.sh', timeoutSeconds: 10 },
      postScript: { name: 'post.sh', timeoutSeconds: 10 },
      vss: { backupType: 'copy', writers: { exclude: ['SqlServerWriter'] } },
    });
    const frozen = await vm.waitForReply('frozen');
    expect(frozen.body.vss).toMatchObject({ backupType: 'copy', snapshotSetId: expect.any(String) as string });
    expect(frozen.body.vss?.writers.map((w) => [w.name, w.state])).toEqual([
      ['System Writer', 'WAITING_FOR_THAW'],
      ['Registry Writer', 'WAITING_FOR_THAW'],
      ['WMI Writer', 'WAITING_FOR_THAW'],
    ]);
    await vm.send('thaw', {});
    const thawed = await vm.waitForReply('thawed');
    expect(thawed.body).toMatchObject({
      thawReason: 'command',
      errors: [],
      postScript: { status: 'succeeded', outputTail: 'post-snapshot\n' },
    });
    expect(thawed.body.vss?.writers.every((w) => w.state === 'STABLE')).toBe(true);
    // The helper that answered the ping's probe froze and thawed: one helper for the whole backup.
    expect(await helperStarts()).toBe(1);

    // The next backup starts a helper of its own: a helper is never used for two freezes.
    const run2 = { runId: 'run-2', instanceId: 'instance-2' };
    const ofRun2 = (reply: { runId: string }) => reply.runId === 'run-2';
    await vm.send('ping', {}, run2);
    await vm.waitForReply('pong', ofRun2);
    await vm.send('freeze', { maxFrozenSeconds: 30, vss: { backupType: 'full' } }, run2);
    await vm.waitForReply('frozen', ofRun2);
    await vm.send('thaw', {}, run2);
    expect((await vm.waitForReply('thawed', ofRun2)).body).toMatchObject({ thawReason: 'command', errors: [] });
    expect(await helperStarts()).toBe(2);
  });

  it('reports a hold-writes timeout as a VSS error and a vss-timeout thaw, with the post-script run', async () => {
    await start({ holdWritesMs: 500 });
    await vm.send('freeze', {
      maxFrozenSeconds: 60,
      vss: { backupType: 'full' },
      postScript: { name: 'post.sh', timeoutSeconds: 10 },
    });
    await vm.waitForReply('frozen');
    const thawed = await vm.waitForReply('thawed');
    expect(thawed.body).toMatchObject({ thawReason: 'vss-timeout', postScript: { status: 'succeeded' } });
    expect(thawed.body.errors).toContainEqual(
      expect.objectContaining({ code: 'VSS_ERROR', detail: 'VSS_E_HOLD_WRITES_TIMEOUT' }),
    );
  });

  it('fails the freeze with the writer state when a writer does not freeze within the writer timeout', async () => {
    await start({
      writerTimeoutMs: 300,
      writers: [
        { name: 'Slow Writer', id: 'slow', freezeMs: 5000 },
        { name: 'Fast Writer', id: 'fast' },
      ],
    });
    await vm.send('freeze', { maxFrozenSeconds: 30, vss: { backupType: 'full' } });
    const failed = await vm.waitForReply('freeze-failed');
    expect(failed.body.error).toMatchObject({ code: 'VSS_ERROR', detail: 'VSS_E_WRITERERROR_TIMEOUT' });
    expect(failed.body.vss?.writers).toContainEqual(
      expect.objectContaining({ name: 'Slow Writer', state: 'FAILED_AT_FREEZE' }),
    );
  });
});
