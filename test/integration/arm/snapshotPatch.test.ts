import type { ComputeManagementClient } from '@azure/arm-compute';
import { isRestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ArmSimProcess, FAST_SIMULATOR, startArmSim, testVm } from '../../support/armSimProcess.js';

describe('snapshot PATCH (tags) as a long-running operation', () => {
  let sim: ArmSimProcess;
  let compute: ComputeManagementClient;
  const snapshotPath = (name: string) =>
    `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-test/providers/Microsoft.Compute/snapshots/${name}?api-version=2025-01-02`;
  const create = (name: string, tags: Record<string, string>) =>
    compute.snapshots.beginCreateOrUpdateAndWait(
      'rg-test',
      name,
      {
        location: 'eastus',
        tags,
        creationData: {
          createOption: 'Copy',
          sourceResourceId: `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-test/providers/Microsoft.Compute/disks/vm-1-osdisk`,
        },
      },
      { updateIntervalInMs: 20 },
    );
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    );

  beforeAll(async () => {
    sim = await startArmSim({ simulator: FAST_SIMULATOR, vms: [testVm('vm-1')] });
    compute = sim.compute();
  });
  afterAll(() => sim.stop());

  it('answers 202 with Azure-AsyncOperation and Location, and the Location URL yields the updated snapshot', async () => {
    await create('snap-raw', { a: '1' });
    const auth = { authorization: 'Bearer raw-client' };
    const accepted = await sim.call('PATCH', snapshotPath('snap-raw'), { tags: { b: '2' } }, auth);
    expect(accepted.status).toBe(202);
    expect(accepted.headers['azure-asyncoperation']).toMatch(/\/DiskOperations\//);
    expect(accepted.headers['location']).toMatch(/monitor=true/);
    expect(accepted.headers['x-ms-ratelimit-remaining-resource']).toMatch(/CreateUpdateDisks3Min/);
    const location = String(accepted.headers['location']);
    let done = await sim.call('GET', location, undefined, auth);
    for (let i = 0; done.status === 202 && i < 100; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      done = await sim.call('GET', location, undefined, auth);
    }
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ name: 'snap-raw', tags: { b: '2' } });
  });

  it('replaces the tags as a whole, as ARM does, through beginUpdateAndWait, and keeps the point in time', async () => {
    const created = await create('snap-tags', { owner: 'dba', 'quiesce-run': 'r1' });
    const updated = await compute.snapshots.beginUpdateAndWait(
      'rg-test',
      'snap-tags',
      { tags: { 'quiesce-verdict': 'application-consistent' } },
      { updateIntervalInMs: 20 },
    );
    expect(updated.tags).toEqual({ 'quiesce-verdict': 'application-consistent' });
    const read = await compute.snapshots.get('rg-test', 'snap-tags');
    expect(read.tags).toEqual({ 'quiesce-verdict': 'application-consistent' });
    expect(read.uniqueId).toBe(created.uniqueId);
    expect(read.timeCreated).toEqual(created.timeCreated);
  });

  it('leaves the tags alone when the operation fails', async () => {
    await create('snap-fail', { keep: 'me' });
    await sim.call('POST', '/_sim/faults', {
      match: { method: 'PATCH', resource: 'snap-fail' },
      action: { kind: 'failOperation', code: 'InternalDiskManagementError', message: 'injected' },
      count: 1,
    });
    const error = await failure(
      compute.snapshots.beginUpdateAndWait('rg-test', 'snap-fail', { tags: { x: 'y' } }, { updateIntervalInMs: 20 }),
    );
    expect((error as Error).message).toMatch(/InternalDiskManagementError\. injected/);
    expect((await compute.snapshots.get('rg-test', 'snap-fail')).tags).toEqual({ keep: 'me' });
  });

  it('answers 404 for a snapshot that does not exist, and 400 for properties other than tags', async () => {
    const missing = await failure(
      compute.snapshots.beginUpdateAndWait('rg-test', 'no-such-snapshot', { tags: {} }, { updateIntervalInMs: 20 }),
    );
    expect(isRestError(missing) && missing.statusCode).toBe(404);
    await create('snap-400', {});
    const bad = await sim.call(
      'PATCH',
      snapshotPath('snap-400'),
      { properties: { diskSizeGB: 20 } },
      { authorization: 'Bearer x' },
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'InvalidParameter' } });
  });
});
