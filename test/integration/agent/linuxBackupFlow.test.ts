import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';

import { AgentFixture } from '../../support/agentFixture.js';
import { eventually } from '../../support/hostProcess.js';

/** Scripts append "<phase> <run id> <vm id>" to a journal file outside any frozen filesystem. */
const journalScript = (journal: string, exitCode = 0) =>
  `#!/bin/sh\necho "$QUIESCE_PHASE $QUIESCE_RUN_ID $QUIESCE_VM_ID $*" >> ${journal}\necho "hello from $QUIESCE_PHASE"\nexit ${exitCode}\n`;

describe('a Linux-style agent: ping → freeze → thaw with real scripts', () => {
  let vm: AgentFixture;
  let journal: string;
  const journalLines = async () => (await readFile(journal, 'utf8').catch(() => '')).split('\n').filter(Boolean);

  beforeEach(async () => {
    vm = new AgentFixture({ connectionString: inject('azuriteConnectionString') });
    await vm.setUp();
    journal = path.join(vm.dir, 'journal.txt');
    await vm.writeScript('pre.sh', journalScript(journal));
    await vm.writeScript('db/post.sh', journalScript(journal));
    await vm.writeScript('failing-pre.sh', journalScript(journal, 3));
  });
  afterEach(() => vm.tearDown());

  const pre = { name: 'pre.sh', args: ['--flush', 'all tables'], timeoutSeconds: 10 };
  const post = { name: 'db/post.sh', timeoutSeconds: 10 };

  it('answers a ping with its capabilities and which named scripts exist', async () => {
    await vm.startAgent();
    await vm.send('ping', { scripts: ['pre.sh', 'db/post.sh', 'missing.sh'] });
    const pong = await vm.waitForReply('pong');
    expect(pong.body).toMatchObject({
      os: { family: 'linux', platform: 'linux' },
      protocolVersion: 1,
      quiescers: { scripts: { usable: true }, vss: { usable: false } },
      scripts: [
        { name: 'pre.sh', exists: true },
        { name: 'db/post.sh', exists: true },
        { name: 'missing.sh', exists: false },
      ],
      busyWithRunId: null,
    });
  });

  it('runs the pre-script, reports frozen, thaws on command and runs the post-script', async () => {
    await vm.startAgent();
    await vm.send('freeze', { maxFrozenSeconds: 60, preScript: pre, postScript: post }, { runId: 'run-a' });
    const frozen = await vm.waitForReply('frozen');
    expect(frozen.runId).toBe('run-a');
    expect(frozen.body.preScript).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      outputTail: 'hello from pre-snapshot\n',
    });
    expect(await journalLines()).toEqual([`pre-snapshot run-a ${vm.vmId} --flush all tables`]);

    await vm.send('thaw', {}, { runId: 'run-a' });
    const thawed = await vm.waitForReply('thawed');
    expect(thawed.body).toMatchObject({ thawReason: 'command', errors: [], postScript: { status: 'succeeded' } });
    expect(await journalLines()).toEqual([
      `pre-snapshot run-a ${vm.vmId} --flush all tables`,
      `post-snapshot run-a ${vm.vmId} `,
    ]);
    expect(
      await eventually(
        () => vm.commandQueueLength(),
        (n) => n === 0,
      ),
    ).toBe(0);
  });

  it('thaws on its own at maxFrozenSeconds, reports deadline, and answers a late thaw with the same result', async () => {
    await vm.startAgent();
    await vm.send('freeze', { maxFrozenSeconds: 1, preScript: pre, postScript: post });
    await vm.waitForReply('frozen');
    const thawed = await vm.waitForReply('thawed');
    expect(thawed.body).toMatchObject({ thawReason: 'deadline', repeated: false, postScript: { status: 'succeeded' } });
    await vm.send('thaw', {});
    const late = await vm.waitForReply('thawed', (r) => r.body.repeated);
    expect(late.body).toMatchObject({ thawReason: 'deadline', repeated: true });
    expect((await journalLines()).filter((l) => l.startsWith('post-snapshot'))).toHaveLength(1);
  });

  it('runs the post-script when a step after the pre-script fails', async () => {
    await vm.startAgent();
    await vm.send('freeze', {
      maxFrozenSeconds: 30,
      preScript: pre,
      postScript: post,
      fsfreeze: { mounts: ['/nonexistent-quiesce-mount'] },
    });
    const failed = await vm.waitForReply('freeze-failed');
    expect(failed.body.error.code).toBe('FSFREEZE_FAILED');
    expect(failed.body.postScript).toMatchObject({ status: 'succeeded' });
    expect((await journalLines()).map((l) => l.split(' ')[0])).toEqual(['pre-snapshot', 'post-snapshot']);
    await vm.send('thaw', {});
    expect((await vm.waitForReply('thawed')).body).toMatchObject({ thawReason: 'not-frozen', errors: [] });
  });

  it('reports a failing pre-script with its exit code and output, and still runs the post-script', async () => {
    await vm.startAgent();
    await vm.send('freeze', { maxFrozenSeconds: 30, preScript: { ...pre, name: 'failing-pre.sh' }, postScript: post });
    const failed = await vm.waitForReply('freeze-failed');
    expect(failed.body).toMatchObject({
      error: { code: 'SCRIPT_FAILED', step: 'preScript' },
      preScript: { status: 'failed', exitCode: 3, outputTail: 'hello from pre-snapshot\n' },
      postScript: { status: 'succeeded' },
    });
  });

  it('refuses a second run while one is frozen', async () => {
    await vm.startAgent();
    await vm.send('freeze', { maxFrozenSeconds: 60, preScript: pre }, { runId: 'run-a' });
    await vm.waitForReply('frozen');
    await vm.send('freeze', { maxFrozenSeconds: 60, preScript: pre }, { runId: 'run-b' });
    const busy = await vm.waitForReply('freeze-failed');
    expect(busy).toMatchObject({ runId: 'run-b', body: { error: { code: 'AGENT_BUSY' } } });
    await vm.send('thaw', {}, { runId: 'run-a' });
    expect((await vm.waitForReply('thawed')).body.thawReason).toBe('command');
    expect(await journalLines()).toHaveLength(1);
  });

  it('thaws first on SIGTERM, runs the post-script and reports shutdown', async () => {
    const agent = await vm.startAgent();
    await vm.send('freeze', { maxFrozenSeconds: 60, preScript: pre, postScript: post });
    await vm.waitForReply('frozen');
    expect(await agent.stop('SIGTERM')).toBe(0);
    const thawed = await vm.waitForReply('thawed');
    expect(thawed.body).toMatchObject({ thawReason: 'shutdown', postScript: { status: 'succeeded' } });
  });
});
