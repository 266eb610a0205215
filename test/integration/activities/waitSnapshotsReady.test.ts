import type { ComputeManagementClient } from '@azure/arm-compute';
import { isRestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDiskSnapshots } from '../../../activities/createDiskSnapshots.js';
import type { InspectedVm } from '../../../activities/inspectVm.contract.js';
import { waitSnapshotsReady } from '../../../activities/waitSnapshotsReady.js';
import { type ArmSimProcess, FAST_SIMULATOR, startArmSim } from '../../support/armSimProcess.js';
import { eventually } from '../../support/hostProcess.js';
import { inspectTestVm, runInput, snapshotRun } from '../../support/snapshotRuns.js';

const SUBSCRIPTION = '6b1c3a52-5f0e-4d8e-9a44-2f1c0b7e8d21';
const BACKGROUND_COPY_MS = 2_000;

/** One look at the background copy of a run's snapshots, through the real client against the ARM simulator. */
describe('waitSnapshotsReady', () => {
  let sim: ArmSimProcess;
  let compute: ComputeManagementClient;
  let vm: InspectedVm;
  const snapshotId = (name: string) =>
    `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-data/providers/Microsoft.Compute/snapshots/${name}`;

  beforeAll(async () => {
    sim = await startArmSim({
      subscriptionId: SUBSCRIPTION,
      simulator: {
        ...FAST_SIMULATOR,
        latency: { ...FAST_SIMULATOR.latency, backgroundCopyMs: [BACKGROUND_COPY_MS, BACKGROUND_COPY_MS] },
      },
      // The OS disk is Premium SSD (no background copy); the data disk Premium SSD v2, whose incrementals copy.
      vms: [
        {
          name: 'db-1',
          resourceGroup: 'rg-data',
          os: 'linux',
          disks: { os: { sku: 'Premium_LRS' }, data: [{ sizeGB: 64, sku: 'PremiumV2_LRS' }] },
        },
      ],
    });
    compute = sim.compute();
    vm = await inspectTestVm(compute, SUBSCRIPTION, 'rg-data', 'db-1');
  });
  afterAll(() => sim.stop());

  it('says at creation which snapshots are fully copied: the Premium SSD one, not the Premium SSD v2 incremental', async () => {
    const output = await createDiskSnapshots(runInput(vm, 'run-copied'), compute);
    expect(output.results.map((r) => [r.ok, r.copied])).toEqual([
      [true, true],
      [true, false],
    ]);
  });

  it('reports a Premium SSD v2 incremental as copying with its progress, the Premium SSD one ready, then both ready', async () => {
    const [osSnapshot = '', dataSnapshot = ''] = await snapshotRun(compute, vm, 'run-copy');
    const started = Date.now();
    const first = await waitSnapshotsReady(
      { subscriptionId: SUBSCRIPTION, snapshotIds: [osSnapshot, dataSnapshot] },
      compute,
    );
    // One look, no waiting inside: far quicker than the copy.
    expect(Date.now() - started).toBeLessThan(BACKGROUND_COPY_MS / 2);
    expect(first.ready).toBe(false);
    expect(first.snapshots[0]).toEqual({ id: osSnapshot, state: 'ready', completionPercent: 100 });
    expect(first.snapshots[1]).toMatchObject({ id: dataSnapshot, state: 'copying' });
    expect(first.snapshots[1]?.completionPercent).toBeLessThan(100);

    // The orchestrator's monitor: look again later until ready.
    const later = await eventually(
      () => waitSnapshotsReady({ subscriptionId: SUBSCRIPTION, snapshotIds: [osSnapshot, dataSnapshot] }, compute),
      (output) => output.ready,
    );
    expect(later.snapshots.map((s) => [s.state, s.completionPercent])).toEqual([
      ['ready', 100],
      ['ready', 100],
    ]);
  });

  it('reports a snapshot that is gone as missing and one whose operation failed as failed, without throwing', async () => {
    const [osSnapshot = ''] = await snapshotRun(compute, vm, 'run-gone', { disks: vm.disks.slice(0, 1) });
    await compute.snapshots.beginDeleteAndWait('rg-data', osSnapshot.split('/').at(-1) ?? '', {
      updateIntervalInMs: 20,
    });
    await sim.call('POST', '/_sim/faults', {
      match: { method: 'PUT', path: 'snapshots/qz-db-1-' },
      action: { kind: 'failOperation', code: 'InternalDiskManagementError' },
      count: 1,
    });
    const failedRun = await createDiskSnapshots(runInput(vm, 'run-failed', { disks: vm.disks.slice(0, 1) }), compute);
    const failedSnapshot = snapshotId(failedRun.results[0]?.snapshotName ?? '');

    const output = await waitSnapshotsReady(
      { subscriptionId: SUBSCRIPTION, snapshotIds: [osSnapshot, failedSnapshot] },
      compute,
    );
    expect(output.ready).toBe(false);
    expect(output.snapshots[0]).toMatchObject({ id: osSnapshot, state: 'missing' });
    expect(output.snapshots[0]?.error).toContain('404');
    expect(output.snapshots[1]).toEqual({ id: failedSnapshot, state: 'failed', error: 'provisioningState Failed' });
  });

  it('throws on a server error, for the retry policy, but reports a refusal (403) as failed', async () => {
    const [osSnapshot = ''] = await snapshotRun(compute, vm, 'run-errors', { disks: vm.disks.slice(0, 1) });
    const name = osSnapshot.split('/').at(-1) ?? '';
    const noRetries = sim.compute({ maxRetries: 0 });
    await sim.call('POST', '/_sim/faults', {
      match: { method: 'GET', resource: name },
      action: { kind: 'error', status: 503 },
      count: 1,
    });
    const thrown = await waitSnapshotsReady(
      { subscriptionId: SUBSCRIPTION, snapshotIds: [osSnapshot] },
      noRetries,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRestError(thrown) && thrown.statusCode).toBe(503);

    await sim.call('POST', '/_sim/faults', {
      match: { method: 'GET', resource: name },
      action: { kind: 'error', status: 403, code: 'AuthorizationFailed' },
      count: 1,
    });
    const refused = await waitSnapshotsReady({ subscriptionId: SUBSCRIPTION, snapshotIds: [osSnapshot] }, noRetries);
    expect(refused.snapshots[0]).toMatchObject({ state: 'failed' });
    expect(refused.snapshots[0]?.error).toContain('403 AuthorizationFailed');
  });
});
