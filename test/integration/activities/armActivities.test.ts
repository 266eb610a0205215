import type { ComputeManagementClient } from '@azure/arm-compute';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';

import type { CreateDiskSnapshotsInput } from '../../../activities/createDiskSnapshots.contract.js';
import { createDiskSnapshots } from '../../../activities/createDiskSnapshots.js';
import type { InspectedVm } from '../../../activities/inspectVm.contract.js';
import { inspectVm } from '../../../activities/inspectVm.js';
import type { SendGuestCommandInput } from '../../../activities/sendGuestCommand.contract.js';
import { snapshotName } from '../../../activities/snapshotName.js';
import { type ArmSimProcess, FAST_SIMULATOR, startArmSim } from '../../support/armSimProcess.js';

const SUBSCRIPTION = '6b1c3a52-5f0e-4d8e-9a44-2f1c0b7e8d13';
const vmId = (rg: string, name: string) =>
  `/subscriptions/${SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;

interface SimSnapshot {
  name: string;
  acceptedAt: string;
  pointInTime: string;
  completedAt: string;
}

/** The ARM activities with the real @azure/arm-compute client against the ARM simulator. */
describe('inspectVm and createDiskSnapshots', () => {
  let sim: ArmSimProcess;
  let compute: ComputeManagementClient;
  let db: InspectedVm;
  const snapshotsInSim = async () =>
    ((await sim.call('GET', '/_sim/snapshots')).body as { value: SimSnapshot[] }).value;
  const input = (
    runId: string,
    extra: Partial<z.output<typeof CreateDiskSnapshotsInput>> = {},
  ): z.output<typeof CreateDiskSnapshotsInput> => ({
    runId,
    vm: { name: db.name, subscriptionId: db.subscriptionId, resourceGroup: db.resourceGroup, location: db.location },
    disks: db.disks,
    incremental: true,
    tags: { team: 'dba' },
    deadlineMs: 10_000,
    pollIntervalMs: 50,
    ...extra,
  });

  beforeAll(async () => {
    sim = await startArmSim({
      subscriptionId: SUBSCRIPTION,
      simulator: FAST_SIMULATOR,
      vms: [
        {
          name: 'db-1',
          resourceGroup: 'rg-data',
          os: 'linux',
          tags: { app: 'db' },
          disks: { os: { sizeGB: 30 }, data: [{ sizeGB: 64 }, { sizeGB: 64 }] },
        },
        {
          name: 'old-1',
          resourceGroup: 'rg-data',
          os: 'windows',
          powerState: 'deallocated',
          disks: { os: { sizeGB: 127 } },
        },
      ],
    });
    compute = sim.compute();
    const inspected = await inspectVm({ vmId: vmId('rg-data', 'db-1') }, compute);
    if (!inspected.found) throw new Error(inspected.reason);
    db = inspected;
  });
  afterAll(() => sim.stop());

  it('inspects a running VM: power state, OS, every disk (OS first, then by LUN), NICs and tags', () => {
    expect(db).toMatchObject({
      name: 'db-1',
      resourceGroup: 'rg-data',
      powerState: 'running',
      running: true,
      os: 'linux',
      tags: { app: 'db' },
    });
    expect(db.disks.map((d) => d.lun)).toEqual([null, 0, 1]);
    expect(db.nicIds).toHaveLength(1);
  });

  it('reports a deallocated Windows VM, and a missing VM as a value', async () => {
    expect(await inspectVm({ vmId: vmId('rg-data', 'old-1') }, compute)).toMatchObject({
      found: true,
      os: 'windows',
      powerState: 'deallocated',
      running: false,
    });
    expect(await inspectVm({ vmId: vmId('rg-data', 'gone-1') }, compute)).toEqual({
      found: false,
      reason: 'VM gone-1 was not found in resource group rg-data.',
    });
  });

  it('snapshots every disk in parallel, each operation succeeded before the activity returns, tagged as Quiesce', async () => {
    const output = await createDiskSnapshots(input('run-1'), compute);
    expect(output.results.map((r) => [r.disk, r.ok])).toEqual(db.disks.map((d) => [d.name, true]));
    // Standard disks: nothing left to copy once the operation Succeeded, so nobody needs to look again.
    expect(output.results.every((r) => r.copied === true)).toBe(true);
    const recorded = (await snapshotsInSim()).filter((s) => output.results.some((r) => r.snapshotName === s.name));
    expect(recorded).toHaveLength(3);
    for (const snapshot of recorded) {
      // The point in time lies inside the activity: after it started, before it returned.
      expect(Date.parse(snapshot.pointInTime)).toBeGreaterThanOrEqual(Date.parse(output.startedAt));
      expect(Date.parse(snapshot.completedAt)).toBeLessThanOrEqual(Date.parse(output.endedAt));
    }
    const one = await compute.snapshots.get(db.resourceGroup, output.results[0]?.snapshotName ?? '');
    expect(one.tags).toMatchObject({
      team: 'dba',
      'quiesce-managed': 'true',
      'quiesce-run': 'run-1',
      'quiesce-vm': 'db-1',
    });
    expect(one.incremental).toBe(true);
  });

  it('makes nothing twice when retried for the same run: same names, same points in time', async () => {
    const before = await snapshotsInSim();
    const again = await createDiskSnapshots(input('run-1'), compute);
    expect(again.results.every((r) => r.ok)).toBe(true);
    const after = await snapshotsInSim();
    expect(after).toHaveLength(before.length);
    expect(after.map((s) => s.pointInTime)).toEqual(before.map((s) => s.pointInTime));
  });

  it('reports a disk whose operation failed, while the others succeed', async () => {
    const target = db.disks[1];
    const failing = snapshotName('run-2', db.name, target?.id ?? '', target?.name ?? '');
    await sim.call('POST', '/_sim/faults', {
      match: { method: 'PUT', resource: failing },
      action: { kind: 'failOperation', code: 'InternalDiskManagementError' },
      count: 1,
    });
    const output = await createDiskSnapshots(input('run-2'), compute);
    const failed = output.results.find((r) => r.disk === target?.name);
    expect(failed?.ok).toBe(false);
    expect(failed?.error).toContain('InternalDiskManagementError');
    expect(output.results.filter((r) => r.ok)).toHaveLength(2);
  });

  it('gives up on a hung operation at the deadline, reporting that disk', async () => {
    const rule = await sim.call('POST', '/_sim/faults', {
      match: { method: 'PUT', path: 'snapshots/qz-db-1-' },
      action: { kind: 'hang' },
      count: 1,
    });
    expect(rule.status).toBe(201);
    const started = Date.now();
    const output = await createDiskSnapshots(
      input('run-3', { deadlineMs: 1_500, disks: db.disks.slice(0, 1) }),
      compute,
    );
    expect(output.results[0]).toMatchObject({
      ok: false,
      error: 'the snapshot operation did not succeed within 1500 ms',
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('waits out a 429 with Retry-After and still succeeds', async () => {
    await sim.call('POST', '/_sim/faults', {
      match: { method: 'PUT', path: 'snapshots/' },
      action: { kind: 'error', status: 429, code: 'TooManyRequests', retryAfterSeconds: 1 },
      count: 1,
    });
    const output = await createDiskSnapshots(input('run-4', { disks: db.disks.slice(0, 1) }), compute);
    expect(output.results[0]?.ok).toBe(true);
    expect(Date.parse(output.endedAt) - Date.parse(output.startedAt)).toBeGreaterThanOrEqual(1_000);
  });
  it('puts the thaw on the queue the moment the last operation succeeded, before it describes the snapshots', async () => {
    const sent: { at: number; input: z.output<typeof SendGuestCommandInput> }[] = [];
    const thaw = { vmId: db.vmId, instanceId: 'run-5--db-1', commandId: 'thaw-with-snapshots-1', ttlSeconds: 60 };
    const output = await createDiskSnapshots(input('run-5', { thaw }), compute, (command) => {
      sent.push({ at: Date.now(), input: command });
      return Promise.resolve({
        sent: true,
        messageId: command.commandId ?? '',
        queue: 'q',
        sentAt: new Date().toISOString(),
        wireBytes: 1,
      });
    });
    expect(output.results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.input).toMatchObject({ ...thaw, runId: 'run-5', command: { type: 'thaw', body: {} } });
    expect(output.thaw).toMatchObject({ sent: true, messageId: 'thaw-with-snapshots-1' });
    const ran = (await snapshotsInSim()).filter((s) => output.results.some((r) => r.snapshotName === s.name));
    expect(ran).toHaveLength(3);
    // Only after every operation completed, and no later than the activity saw the last one succeed plus a send.
    expect(sent[0]?.at).toBeGreaterThanOrEqual(Math.max(...ran.map((s) => Date.parse(s.completedAt))));
    expect(sent[0]?.at).toBeGreaterThanOrEqual(Math.max(...output.results.map((r) => Date.parse(r.succeededAt ?? ''))));
    // The operation's answer carried the snapshot: its id and copy state without another GET.
    expect(output.results.every((r) => r.snapshotId?.endsWith(`/snapshots/${r.snapshotName}`) && r.copied)).toBe(true);
  });

  it('reports a thaw it could not send, so the orchestrator sends its own; the snapshots are unaffected', async () => {
    const output = await createDiskSnapshots(
      input('run-6', {
        disks: db.disks.slice(0, 1),
        thaw: { vmId: db.vmId, instanceId: 'run-6--db-1', commandId: 'thaw-with-snapshots-2', ttlSeconds: 60 },
      }),
      compute,
      () => Promise.reject(new Error('queue service unreachable')),
    );
    expect(output.results[0]?.ok).toBe(true);
    expect(output.thaw).toEqual({ sent: false, reason: 'queue service unreachable' });
  });
});
