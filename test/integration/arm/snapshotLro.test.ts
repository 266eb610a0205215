import type { ComputeManagementClient } from '@azure/arm-compute';
import { isRestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ArmSimProcess, FAST_SIMULATOR, startArmSim, testVm } from '../../support/armSimProcess.js';
import { eventually } from '../../support/hostProcess.js';

const START_DELAY_MS = 300;

interface SimSnapshot {
  name: string;
  acceptedAt: string;
  pointInTime?: string;
  completedAt?: string;
  provisioningState: string;
}

describe('snapshot long-running operations through @azure/arm-compute', () => {
  let sim: ArmSimProcess;
  let compute: ComputeManagementClient;
  const diskId = (name: string) =>
    `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-test/providers/Microsoft.Compute/disks/${name}`;
  const snapshotBody = (disk: string, incremental = true) => ({
    location: 'eastus',
    tags: { run: 'r1' },
    incremental,
    creationData: { createOption: 'Copy' as const, sourceResourceId: diskId(disk) },
  });

  beforeAll(async () => {
    sim = await startArmSim({
      simulator: {
        ...FAST_SIMULATOR,
        latency: {
          ...FAST_SIMULATOR.latency,
          snapshotStartDelayMs: [START_DELAY_MS, START_DELAY_MS],
          backgroundCopyMs: [1500, 1500],
        },
      },
      vms: [
        testVm('vm-1', 'rg-test', { disks: { data: [{ sizeGB: 64 }] } }),
        testVm('vm-2', 'rg-test', { disks: { data: [{ sizeGB: 64, sku: 'PremiumV2_LRS' }] } }),
      ],
    });
    compute = sim.compute();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('creates a snapshot with beginCreateOrUpdateAndWait and reports it Succeeded with its tags and source', async () => {
    const snapshot = await compute.snapshots.beginCreateOrUpdateAndWait(
      'rg-test',
      'snap-ok',
      snapshotBody('vm-1-osdisk'),
      {
        updateIntervalInMs: 20,
      },
    );
    expect(snapshot.provisioningState).toBe('Succeeded');
    expect(snapshot.incremental).toBe(true);
    expect(snapshot.tags).toEqual({ run: 'r1' });
    expect(snapshot.creationData?.sourceResourceId).toBe(diskId('vm-1-osdisk'));
    expect(snapshot.timeCreated).toBeInstanceOf(Date);
    expect(snapshot.completionPercent).toBe(100);
    const again = await compute.snapshots.get('rg-test', 'snap-ok');
    expect(again.uniqueId).toBe(snapshot.uniqueId);
  });

  it('answers the PUT with 202, Azure-AsyncOperation, Location and Retry-After, then Updating → Succeeded', async () => {
    const token = 'Bearer raw-client';
    const url = `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-test/providers/Microsoft.Compute/snapshots/snap-raw?api-version=2025-01-02`;
    const accepted = await sim.call(
      'PUT',
      url,
      { location: 'eastus', properties: snapshotBody('vm-1-osdisk') },
      {
        authorization: token,
      },
    );
    expect(accepted.status).toBe(202);
    expect(accepted.headers['azure-asyncoperation']).toMatch(
      /\/providers\/Microsoft\.Compute\/locations\/eastus\/DiskOperations\//,
    );
    expect(accepted.headers['location']).toMatch(/monitor=true/);
    expect(accepted.headers['retry-after']).toBe('0');
    expect(accepted.headers['x-ms-ratelimit-remaining-subscription-writes']).toMatch(/^\d+$/);
    expect((accepted.body as { properties: { provisioningState: string } }).properties.provisioningState).toBe(
      'Updating',
    );
    const operationUrl = String(accepted.headers['azure-asyncoperation']);
    const running = await sim.call('GET', operationUrl, undefined, { authorization: token });
    expect(running.body).toMatchObject({ status: 'InProgress' });
    const done = await eventually(
      () => sim.call('GET', operationUrl, undefined, { authorization: token }),
      (r) => (r.body as { status: string }).status !== 'InProgress',
    );
    expect(done.body).toMatchObject({
      status: 'Succeeded',
      properties: { output: { name: 'snap-raw', properties: { provisioningState: 'Succeeded' } } },
    });
  });

  it('fixes the point in time when the operation starts, at least the configured delay after the PUT was accepted', async () => {
    await compute.snapshots.beginCreateOrUpdateAndWait('rg-test', 'snap-pit', snapshotBody('vm-1-datadisk-0'), {
      updateIntervalInMs: 20,
    });
    const { body } = await sim.call('GET', '/_sim/snapshots');
    const record = (body as { value: SimSnapshot[] }).value.find((s) => s.name === 'snap-pit');
    expect(record?.pointInTime).toBeDefined();
    const accepted = Date.parse(record?.acceptedAt ?? '');
    const pointInTime = Date.parse(record?.pointInTime ?? '');
    expect(pointInTime - accepted).toBeGreaterThanOrEqual(START_DELAY_MS - 1);
    expect(Date.parse(record?.completedAt ?? '')).toBeGreaterThanOrEqual(pointInTime);
    const snapshot = await compute.snapshots.get('rg-test', 'snap-pit');
    expect(snapshot.timeCreated?.toISOString()).toBe(record?.pointInTime);
  });

  it('rejects the poller when the operation ends Failed, and leaves the snapshot Failed', async () => {
    const rule = await sim.call('POST', '/_sim/faults', {
      match: { method: 'PUT', resource: 'snap-fail' },
      action: { kind: 'failOperation', code: 'InternalDiskManagementError', message: 'injected' },
      count: 1,
    });
    expect(rule.status).toBe(201);
    const error = await compute.snapshots
      .beginCreateOrUpdateAndWait('rg-test', 'snap-fail', snapshotBody('vm-1-osdisk'), { updateIntervalInMs: 20 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    // core-lro turns the operation's error into "The long-running operation has failed. <code>. <message>".
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/InternalDiskManagementError\. injected/);
    const snapshot = await compute.snapshots.get('rg-test', 'snap-fail');
    expect(snapshot.provisioningState).toBe('Failed');
  });

  it('deletes through the LRO, then answers 404 with an ARM error body', async () => {
    await compute.snapshots.beginCreateOrUpdateAndWait('rg-test', 'snap-del', snapshotBody('vm-1-osdisk'), {
      updateIntervalInMs: 20,
    });
    await compute.snapshots.beginDeleteAndWait('rg-test', 'snap-del', { updateIntervalInMs: 20 });
    const error = await compute.snapshots.get('rg-test', 'snap-del').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRestError(error) && error.statusCode).toBe(404);
    expect(error).toMatchObject({ code: 'ResourceNotFound' });
  });

  it('treats a repeated PUT of the same snapshot as an update, and refuses a different source with 409', async () => {
    const first = await compute.snapshots.beginCreateOrUpdateAndWait(
      'rg-test',
      'snap-idem',
      snapshotBody('vm-1-osdisk'),
      {
        updateIntervalInMs: 20,
      },
    );
    const second = await compute.snapshots.beginCreateOrUpdateAndWait(
      'rg-test',
      'snap-idem',
      snapshotBody('vm-1-osdisk'),
      {
        updateIntervalInMs: 20,
      },
    );
    expect(second.uniqueId).toBe(first.uniqueId);
    expect(second.timeCreated).toEqual(first.timeCreated);
    const error = await compute.snapshots
      .beginCreateOrUpdateAndWait('rg-test', 'snap-idem', snapshotBody('vm-1-datadisk-0'), { updateIntervalInMs: 20 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isRestError(error) && error.statusCode).toBe(409);
  });

  it('answers 404 for a snapshot of a disk that does not exist, and 400 for a body without creationData', async () => {
    const missing = await compute.snapshots
      .beginCreateOrUpdateAndWait('rg-test', 'snap-404', snapshotBody('no-such-disk'), { updateIntervalInMs: 20 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isRestError(missing) && missing.statusCode).toBe(404);
    const bad = await sim.call(
      'PUT',
      `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-test/providers/Microsoft.Compute/snapshots/snap-400?api-version=2025-01-02`,
      { location: 'eastus', properties: {} },
      { authorization: 'Bearer x' },
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'InvalidParameter' } });
  });

  it('reports the background copy of an incremental Premium SSD v2 snapshot through completionPercent', async () => {
    const snapshot = await compute.snapshots.beginCreateOrUpdateAndWait(
      'rg-test',
      'snap-v2',
      snapshotBody('vm-2-datadisk-0'),
      {
        updateIntervalInMs: 20,
      },
    );
    expect(snapshot.provisioningState).toBe('Succeeded');
    expect(snapshot.completionPercent).toBeLessThan(100);
    expect(snapshot.snapshotAccessState).toBe('Pending');
    const copied = await eventually(
      () => compute.snapshots.get('rg-test', 'snap-v2'),
      (s) => s.completionPercent === 100,
    );
    expect(copied.completionPercent).toBe(100);
    expect(copied.snapshotAccessState).toBe('Available');
  });

  it('refuses an eighth incremental snapshot of one disk within five minutes', async () => {
    const results: unknown[] = [];
    for (let i = 0; i < 8; i += 1) {
      results.push(
        await compute.snapshots
          .beginCreateOrUpdateAndWait('rg-test', `snap-limit-${i}`, snapshotBody('vm-2-osdisk'), {
            updateIntervalInMs: 20,
          })
          .then(
            () => 'ok',
            (e: unknown) => (isRestError(e) ? e.statusCode : e),
          ),
      );
    }
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 409]);
  });
});
