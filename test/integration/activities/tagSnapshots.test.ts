import type { ComputeManagementClient } from '@azure/arm-compute';
import { isRestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { InspectedVm } from '../../../activities/inspectVm.contract.js';
import { tagSnapshots } from '../../../activities/tagSnapshots.js';
import { resourceName } from '../../../shared/arm/resourceId.js';
import { type ArmSimProcess, FAST_SIMULATOR, startArmSim } from '../../support/armSimProcess.js';
import { inspectTestVm, snapshotRun } from '../../support/snapshotRuns.js';

const SUBSCRIPTION = '6b1c3a52-5f0e-4d8e-9a44-2f1c0b7e8d22';
const VERDICT = { 'quiesce-consistency': 'application-consistent', 'quiesce-verdict': 'succeeded' };

/** The run's evidence merged into its snapshots' tags, through the real client against the ARM simulator. */
describe('tagSnapshots', () => {
  let sim: ArmSimProcess;
  let compute: ComputeManagementClient;
  let vm: InspectedVm;
  const tagsOf = async (id: string) => (await compute.snapshots.get('rg-data', resourceName(id))).tags;
  const requestCount = async () => ((await sim.call('GET', '/_sim/stats')).body as { requests: number }).requests;

  beforeAll(async () => {
    sim = await startArmSim({
      subscriptionId: SUBSCRIPTION,
      simulator: FAST_SIMULATOR,
      vms: [{ name: 'db-1', resourceGroup: 'rg-data', os: 'linux', disks: { data: [{ sizeGB: 64 }] } }],
    });
    compute = sim.compute();
    vm = await inspectTestVm(compute, SUBSCRIPTION, 'rg-data', 'db-1');
  });
  afterAll(() => sim.stop());

  it('adds the verdict to every snapshot and keeps the tags each already had', async () => {
    const ids = await snapshotRun(compute, vm, 'run-1', { policy: 'nightly', tags: { team: 'dba' } });
    const output = await tagSnapshots({ subscriptionId: SUBSCRIPTION, snapshotIds: ids, tags: VERDICT }, compute);
    expect(output).toEqual({ tagged: ids, failed: [] });
    for (const id of ids)
      expect(await tagsOf(id)).toEqual({
        team: 'dba',
        'quiesce-managed': 'true',
        'quiesce-run': 'run-1',
        'quiesce-vm': 'db-1',
        'quiesce-disk': resourceName(vm.disks[ids.indexOf(id)]?.id ?? ''),
        'quiesce-policy': 'nightly',
        ...VERDICT,
      });
  });

  it('gives a key it names the new value, and on a repeat reads without writing', async () => {
    const ids = await snapshotRun(compute, vm, 'run-2', { tags: { team: 'dba' } });
    await tagSnapshots({ subscriptionId: SUBSCRIPTION, snapshotIds: ids, tags: { team: 'ops' } }, compute);
    expect(await tagsOf(ids[0] ?? '')).toMatchObject({ team: 'ops', 'quiesce-run': 'run-2' });

    const before = await requestCount();
    const again = await tagSnapshots(
      { subscriptionId: SUBSCRIPTION, snapshotIds: ids, tags: { team: 'ops' } },
      compute,
    );
    expect(again.tagged).toEqual(ids);
    expect((await requestCount()) - before).toBe(ids.length); // one GET each, no PATCH
  });

  it('reports a snapshot whose update failed and one that is gone, and tags the others', async () => {
    const [first = '', second = ''] = await snapshotRun(compute, vm, 'run-3');
    await sim.call('POST', '/_sim/faults', {
      match: { method: 'PATCH', resource: resourceName(first) },
      action: { kind: 'failOperation', code: 'InternalDiskManagementError', message: 'injected' },
      count: 1,
    });
    const gone = first.replace(/[^/]+$/, 'qz-no-such-snapshot');
    const output = await tagSnapshots(
      { subscriptionId: SUBSCRIPTION, snapshotIds: [first, second, gone], tags: VERDICT },
      compute,
    );
    expect(output.tagged).toEqual([second]);
    expect(output.failed.map((f) => f.id)).toEqual([first, gone]);
    expect(output.failed[0]?.error).toContain('InternalDiskManagementError');
    expect(output.failed[1]?.error).toContain('404');
    expect(await tagsOf(first)).not.toHaveProperty('quiesce-verdict');
    expect(await tagsOf(second)).toMatchObject(VERDICT);
  });

  it('throws a server error for the retry policy, after tagging the snapshots that answered', async () => {
    const [first = '', second = ''] = await snapshotRun(compute, vm, 'run-4');
    await sim.call('POST', '/_sim/faults', {
      match: { method: 'PATCH', resource: resourceName(first) },
      action: { kind: 'error', status: 503 },
      count: 1,
    });
    const thrown = await tagSnapshots(
      { subscriptionId: SUBSCRIPTION, snapshotIds: [first, second], tags: VERDICT },
      sim.compute({ maxRetries: 0 }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRestError(thrown) && thrown.statusCode).toBe(503);
    expect(await tagsOf(second)).toMatchObject(VERDICT);
  });
});
