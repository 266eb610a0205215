import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { StandbyVssHelper } from '../../../agent/vss/StandbyVssHelper.js';
import { AGENT_BUNDLE } from '../../support/agentFixture.js';
import { eventually } from '../../support/hostProcess.js';

/** The simulated helper behind a shell that logs each start and each exit of the helper process. */
function loggedHelper(log: string) {
  return {
    helperPath: '/bin/sh',
    helperArgs: [
      '-c',
      'echo started >> "$0"; "$@"; echo exited >> "$0"',
      log,
      process.execPath,
      AGENT_BUNDLE,
      'simulate-vss-helper',
    ],
  };
}

describe('the VSS helper a ping starts, standing by for the freeze', () => {
  let dir: string;
  let log: string;
  const lines = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'quiesce-standby-'));
    log = path.join(dir, 'helper.log');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('ends a helper no freeze took once its standby time is over', async () => {
    const standby = new StandbyVssHelper(loggedHelper(log), 300);
    expect(await standby.probe()).toEqual({ usable: true });
    expect(await lines()).toEqual(['started']);
    expect(await eventually(lines, (l) => l.includes('exited'), 10_000)).toEqual(['started', 'exited']);
    expect(standby.take()).toBeUndefined();
  });

  it('hands the ready helper to the freeze, which freezes and thaws through it without starting another', async () => {
    const standby = new StandbyVssHelper(loggedHelper(log), 60_000);
    await standby.probe();
    const quiescer = standby.take();
    expect(quiescer).toBeDefined();
    expect(standby.take()).toBeUndefined();
    const frozen = await quiescer?.freeze({ backupType: 'copy', writers: {} });
    expect(frozen).toMatchObject({ ok: true, snapshotSetId: expect.any(String) as string });
    const thawed = await quiescer?.thaw();
    expect(thawed?.errors).toEqual([]);
    expect(await eventually(lines, (l) => l.includes('exited'), 10_000)).toEqual(['started', 'exited']);
  });

  it('replaces the helper of an earlier ping, ending it, and reports a helper that never gets ready', async () => {
    const standby = new StandbyVssHelper(loggedHelper(log), 60_000);
    await standby.probe();
    await standby.probe();
    expect(await eventually(lines, (l) => l.includes('exited'), 10_000)).toEqual(['started', 'started', 'exited']);
    standby.release();
    expect(await eventually(lines, (l) => l.filter((x) => x === 'exited').length === 2, 10_000)).toHaveLength(4);

    const broken = new StandbyVssHelper({ helperPath: '/bin/false', helperArgs: [] }, 60_000);
    expect(await broken.probe()).toMatchObject({
      usable: false,
      reason: expect.stringContaining('/bin/false') as string,
    });
    expect(broken.take()).toBeUndefined();
  });
});
