import { afterEach, describe, expect, it } from 'vitest';

import { ArmThrottleGate } from '../../../shared/clients/ArmThrottleGate.js';
import { type ArmSimProcess, FAST_SIMULATOR, startArmSim } from '../../support/armSimProcess.js';

const SUBSCRIPTION = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const DISK_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-gate/providers/Microsoft.Compute/disks/burst-1-osdisk`;

interface SimStats {
  throttled: number;
  abandoned: number;
  admitted: { write: number };
  backoffs: { count: number; maxMs: number };
}

/** 30 snapshot PUTs at once against a write bucket of 5 burst + 10/s, through the real client. */
describe('ArmThrottleGate against the simulator throttle', () => {
  let sim: ArmSimProcess | undefined;
  const start = async () => {
    sim = await startArmSim({
      subscriptionId: SUBSCRIPTION,
      simulator: { ...FAST_SIMULATOR, throttle: { writes: { burst: 5, perSecond: 10 } } },
      vms: [{ name: 'burst-1', resourceGroup: 'rg-gate', os: 'linux', disks: { os: { sizeGB: 30 } } }],
    });
    return sim;
  };
  const burst = (client: ReturnType<ArmSimProcess['compute']>) =>
    Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        client.snapshots.beginCreateOrUpdate('rg-gate', `gate-${i}`, {
          location: 'eastus',
          incremental: false,
          creationData: { createOption: 'Copy', sourceResourceId: DISK_ID },
        }),
      ),
    );
  afterEach(async () => {
    await sim?.stop();
  });

  it('gets every write through: one 429 holds back the whole class for its Retry-After, then they go', async () => {
    const arm = await start();
    const gate = new ArmThrottleGate();
    const settled = await burst(arm.compute({ maxRetries: 0, gate }));
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    const stats = (await arm.call('GET', '/_sim/stats')).body as SimStats;
    expect(stats.admitted.write).toBe(30);
    expect(stats.throttled).toBeGreaterThan(0);
    expect(stats.abandoned).toBe(0);
    // Retry-After is whole seconds (1 s at this refill); no request waited much longer than one of them.
    expect(stats.backoffs.maxMs).toBeLessThan(2_500);
    expect(Math.max(...gate.pausesMs)).toBeLessThanOrEqual(1_000);
  });

  it('without the gate, the same burst loses writes to 429 once the SDK has no retries left', async () => {
    const arm = await start();
    const settled = await burst(arm.compute({ maxRetries: 0 }));
    const rejected = settled.filter((s) => s.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(String((rejected[0] as PromiseRejectedResult).reason)).toMatch(/exceeded|throttl/i);
  });
});
