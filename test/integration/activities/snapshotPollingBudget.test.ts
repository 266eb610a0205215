import { ComputeManagementClient } from '@azure/arm-compute';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDiskSnapshots } from '../../../activities/createDiskSnapshots.js';
import { armClientOptions } from '../../../shared/clients/armClientOptions.js';
import { armReadBudgetPolicy } from '../../../shared/clients/armReadBudget.js';
import { LocalTokenCredential } from '../../../shared/clients/LocalTokenCredential.js';
import { type ArmSimProcess, FAST_SIMULATOR, startArmSim } from '../../support/armSimProcess.js';
import { inspectTestVm, runInput } from '../../support/snapshotRuns.js';

const SUBSCRIPTION = '7c2d4e6f-8a0b-4c1d-9e2f-3a4b5c6d7e8f';
const VMS = 6;

/** A wave of frozen VMs polling their snapshot operations against ARM's read bucket (the simulator's, made small). */
describe('createDiskSnapshots under the read throttle', () => {
  let sim: ArmSimProcess;
  let compute: ComputeManagementClient;

  beforeAll(async () => {
    sim = await startArmSim({
      subscriptionId: SUBSCRIPTION,
      simulator: {
        ...FAST_SIMULATOR,
        latency: { ...FAST_SIMULATOR.latency, snapshotStartDelayMs: [100, 200], snapshotOperationMs: [400, 600] },
        throttle: { reads: { burst: 60, perSecond: 25 } },
      },
      vms: Array.from({ length: VMS }, (_, i) => ({
        name: `app-${i}`,
        resourceGroup: 'rg-wave',
        os: 'linux',
        disks: { os: {}, data: [{}, {}] },
      })),
    });
    // The app's own client setup: every answer tells the read budget what is left of the bucket.
    compute = new ComputeManagementClient(new LocalTokenCredential(), SUBSCRIPTION, {
      ...armClientOptions({ endpoint: sim.endpoint, caCertPath: sim.caCertPath }),
      additionalPolicies: [{ policy: armReadBudgetPolicy(), position: 'perRetry' }],
    });
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it('paces its polls by the reads ARM says are left: every disk succeeds and no request is throttled', async () => {
    const vms = await Promise.all(
      Array.from({ length: VMS }, (_, i) => inspectTestVm(compute, SUBSCRIPTION, 'rg-wave', `app-${i}`)),
    );
    const before = (await sim.call('GET', '/_sim/stats')).body as { throttled: number };
    const outputs = await Promise.all(
      vms.map((vm) => createDiskSnapshots(runInput(vm, 'wave-1', { incremental: false, deadlineMs: 20_000 }), compute)),
    );
    expect(outputs.flatMap((o) => o.results).map((r) => r.ok)).toEqual(Array(VMS * 3).fill(true));
    const after = (await sim.call('GET', '/_sim/stats')).body as { throttled: number };
    expect(after.throttled - before.throttled).toBe(0);
  });
});
