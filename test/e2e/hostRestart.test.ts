import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { eventually } from '../support/hostProcess.js';
import { FAST_AGENT_POLLING, type QuiesceStack, resultOf, startQuiesceStack } from '../support/quiesceStack.js';

const SUBSCRIPTION = '0d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e63';
const RG = 'rg-crash';

/** The host dies (SIGKILL) while a VM is frozen and its snapshots are in flight, and is started again. */
describe('a host killed mid-run', () => {
  let stack: QuiesceStack;

  beforeAll(async () => {
    const scripts = await mkdtemp(path.join(os.tmpdir(), 'quiesce-crash-scripts-'));
    await writeFile(path.join(scripts, 'freeze.sh'), '#!/bin/sh\necho flushed\n');
    await chmod(path.join(scripts, 'freeze.sh'), 0o755);
    stack = await startQuiesceStack({
      subscriptionId: SUBSCRIPTION,
      vms: [
        {
          name: 'db-1',
          resourceGroup: RG,
          os: 'linux',
          disks: { os: { sizeGB: 30 }, data: [{ sizeGB: 64 }] },
          agent: { installed: true, scriptsDir: scripts, settings: { polling: { ...FAST_AGENT_POLLING, jitter: 0 } } },
        },
      ],
    });
  }, 120_000);
  afterAll(() => stack?.stop());

  it('completes the run after a restart: the guest thawed, no snapshot made twice', async () => {
    await stack.sim.call('POST', '/_sim/faults', {
      match: { method: 'PUT', path: 'snapshots/qz-db-1-' },
      action: { kind: 'delay', delayMs: 3000 },
      count: 2,
    });
    const started = await stack.api('POST', 'backups', {
      vmIds: [stack.vmId(RG, 'db-1')],
      overrides: { guestProcessing: { linux: { preScript: { path: 'freeze.sh' }, fsfreeze: { enabled: false } } } },
    });
    expect(started.status).toBe(202);
    const runId = String(started.body.runId);
    const phase = await eventually(
      async () =>
        ((await stack.api('GET', `runs/${runId}/vms/db-1/history`)).body.customStatus as { phase?: string } | undefined)
          ?.phase,
      (value) => value === 'snapshotting',
      20_000,
    );
    expect(phase).toBe('snapshotting');

    await stack.restartHost();
    const run = await stack.waitForRun(runId, 90_000);
    const result = resultOf(run, 'db-1');
    expect(['application-consistent', 'crash-consistent']).toContain(result.consistency);
    expect(result.evidence.agent.thawed?.thawReason).toMatch(/^(command|deadline)$/);
    const snapshots = ((await stack.sim.call('GET', '/_sim/snapshots')).body as { value: { name: string }[] }).value;
    expect(
      snapshots
        .map((s) => s.name)
        .filter((name) => name.startsWith('qz-db-1-'))
        .sort(),
    ).toEqual(result.snapshots.map((s) => s.snapshotId?.split('/').at(-1)).sort());
    expect(result.snapshots.filter((s) => s.snapshotId)).toHaveLength(2);
  }, 150_000);
});
