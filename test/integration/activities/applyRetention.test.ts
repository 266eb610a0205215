import type { ComputeManagementClient } from '@azure/arm-compute';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ApplyRetentionInput } from '../../../activities/applyRetention.contract.js';
import { applyRetention } from '../../../activities/applyRetention.js';
import type { InspectedVm } from '../../../activities/inspectVm.contract.js';
import { retain } from '../../../activities/retentionOutcome.js';
import { resourceName } from '../../../shared/arm/resourceId.js';
import { type ArmSimProcess, FAST_SIMULATOR, startArmSim } from '../../support/armSimProcess.js';
import { inspectTestVm, snapshotRun } from '../../support/snapshotRuns.js';

const SUBSCRIPTION = '6b1c3a52-5f0e-4d8e-9a44-2f1c0b7e8d23';
const DAY_MS = 24 * 3600_000;

/** Retention over a policy's snapshots among others in the same resource group, against the ARM simulator. */
describe('applyRetention', () => {
  let sim: ArmSimProcess;
  let compute: ComputeManagementClient;
  let db: InspectedVm;
  /** The nightly policy's five runs of db-1, oldest first: [OS disk snapshot, data disk snapshot] each. */
  const runs: string[][] = [];
  const foreign: string[] = [];
  const input = (extra: Partial<ApplyRetentionInput>): ApplyRetentionInput => ({
    policy: 'nightly',
    vm: { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-data', name: 'db-1' },
    diskIds: db.disks.map((d) => d.id),
    retention: { keepLast: 3, minimumKept: 2 },
    dryRun: true,
    ...extra,
  });
  const snapshotsInGroup = async () => {
    const ids: string[] = [];
    for await (const snapshot of compute.snapshots.listByResourceGroup('rg-data')) ids.push(snapshot.id ?? '');
    return ids.sort();
  };
  const manualSnapshot = async (name: string, diskId: string) => {
    const made = await compute.snapshots.beginCreateOrUpdateAndWait(
      'rg-data',
      name,
      {
        location: db.location,
        tags: { owner: 'someone' },
        creationData: { createOption: 'Copy', sourceResourceId: diskId },
      },
      { updateIntervalInMs: 20 },
    );
    return made.id ?? '';
  };

  beforeAll(async () => {
    sim = await startArmSim({
      subscriptionId: SUBSCRIPTION,
      simulator: { ...FAST_SIMULATOR, limits: { incrementalSnapshotsPerDiskPer5Min: 100 } },
      vms: [
        { name: 'db-1', resourceGroup: 'rg-data', os: 'linux', disks: { data: [{ sizeGB: 64 }] } },
        { name: 'web-1', resourceGroup: 'rg-data', os: 'linux' },
      ],
    });
    compute = sim.compute();
    db = await inspectTestVm(compute, SUBSCRIPTION, 'rg-data', 'db-1');
    const web = await inspectTestVm(compute, SUBSCRIPTION, 'rg-data', 'web-1');
    // In sequence, so that each run's timeCreated is later than the one before.
    for (let run = 1; run <= 5; run += 1)
      runs.push(await snapshotRun(compute, db, `run-${run}`, { policy: 'nightly' }));
    const osDisk = db.disks[0]?.id ?? '';
    foreign.push(
      await manualSnapshot('manual-db-1-os', osDisk),
      await manualSnapshot('qz-db-1-looks-like-ours', osDisk),
      ...(await snapshotRun(compute, db, 'run-weekly', { policy: 'weekly' })),
      ...(await snapshotRun(compute, db, 'run-on-demand')),
      ...(await snapshotRun(compute, web, 'run-web', { policy: 'nightly' })),
    );
  });
  afterAll(() => sim.stop());

  it('on a dry run reports the plan (kept, to delete, why) and deletes nothing', async () => {
    const before = await snapshotsInGroup();
    const output = await applyRetention(input({ dryRun: true }), compute);
    expect(output.dryRun).toBe(true);
    expect(output.deleted.map((d) => d.id).sort()).toEqual([...(runs[0] ?? []), ...(runs[1] ?? [])].sort());
    expect(output.deleted.every((d) => d.because === 'not among the newest 3')).toBe(true);
    expect(output.kept.filter((k) => runs[4]?.includes(k.id)).map((k) => k.because)).toEqual([
      'one of the newest 2 (minimum kept)',
      'one of the newest 2 (minimum kept)',
    ]);
    expect(output.kept.filter((k) => runs[2]?.includes(k.id)).map((k) => k.because)).toEqual([
      'one of the newest 3',
      'one of the newest 3',
    ]);
    expect(output.failed).toEqual([]);
    expect(output.ignored).toBe(foreign.length);
    expect(await snapshotsInGroup()).toEqual(before);
  });

  it('deletes exactly the planned snapshots, never the newest minimumKept nor anyone else’s, and reports one that failed', async () => {
    const failing = runs[0]?.[0] ?? '';
    await sim.call('POST', '/_sim/faults', {
      match: { method: 'DELETE', resource: resourceName(failing) },
      action: { kind: 'failOperation', code: 'InternalDiskManagementError', message: 'injected' },
      count: 1,
    });
    // Every snapshot is ten days old by then: keepDays alone would let all go, minimumKept keeps the newest two.
    const now = new Date(Date.now() + 10 * DAY_MS).toISOString();
    const output = await applyRetention(
      input({ dryRun: false, retention: { keepDays: 1, minimumKept: 2 }, now }),
      compute,
    );
    const planned = [...(runs[0] ?? []), ...(runs[1] ?? []), ...(runs[2] ?? [])];
    expect(output.dryRun).toBe(false);
    expect(output.deleted.map((d) => d.id).sort()).toEqual(planned.filter((id) => id !== failing).sort());
    expect(output.deleted.every((d) => d.because === 'older than 1 days')).toBe(true);
    expect(output.failed).toEqual([
      { id: failing, error: expect.stringContaining('InternalDiskManagementError') as string },
    ]);
    expect(output.kept.map((k) => k.id).sort()).toEqual([...(runs[3] ?? []), ...(runs[4] ?? [])].sort());
    expect(await snapshotsInGroup()).toEqual([failing, ...(runs[3] ?? []), ...(runs[4] ?? []), ...foreign].sort());
  });

  it('deletes on the next run what failed before, and nothing more', async () => {
    const leftOver = runs[0]?.[0] ?? '';
    const now = new Date(Date.now() + 10 * DAY_MS).toISOString();
    const output = await applyRetention(
      input({ dryRun: false, retention: { keepDays: 1, minimumKept: 2 }, now }),
      compute,
    );
    expect(output.deleted.map((d) => d.id)).toEqual([leftOver]);
    expect(output.failed).toEqual([]);
    expect(await snapshotsInGroup()).toEqual([...(runs[3] ?? []), ...(runs[4] ?? []), ...foreign].sort());
  });

  it('as finishVm runs it, turns a listing ARM refuses into an outcome that deletes nothing', async () => {
    const before = await snapshotsInGroup();
    await sim.call('POST', '/_sim/faults', {
      match: { method: 'GET', path: 'resourceGroups/rg-data/providers/Microsoft.Compute/snapshots$' },
      action: { kind: 'error', status: 403, code: 'AuthorizationFailed', message: 'no snapshots/read' },
      count: 1,
    });
    const done = await retain(input({ dryRun: false, retention: { keepLast: 1, minimumKept: 1 } }), (i) =>
      applyRetention(i, compute),
    );
    // The SDK's pager words the message its own way; the status and ARM's code are what a person acts on.
    expect(done).toEqual({
      deleted: [],
      failed: [],
      error: expect.stringMatching(/^403 AuthorizationFailed: /) as string,
    });
    expect(await snapshotsInGroup()).toEqual(before);
  });
});
