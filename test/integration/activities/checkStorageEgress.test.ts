import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkStorageEgress } from '../../../activities/checkStorageEgress.js';
import { inspectVm } from '../../../activities/inspectVm.js';
import { type ArmSimProcess, FAST_SIMULATOR, startArmSim } from '../../support/armSimProcess.js';

const SUBSCRIPTION = '6b1c3a52-5f0e-4d8e-9a44-2f1c0b7e8d14';
const rule = (
  name: string,
  priority: number,
  access: 'Allow' | 'Deny',
  destinationAddressPrefix: string,
  destinationPortRange = '*',
) => ({
  name,
  priority,
  direction: 'Outbound',
  access,
  destinationAddressPrefix,
  destinationPortRange,
});

/** The network half of preflight, with the real @azure/arm-network client against the simulator's effective NSGs. */
describe('checkStorageEgress', () => {
  let sim: ArmSimProcess;
  const nicsOf = async (name: string) => {
    const vm = await inspectVm(
      { vmId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}` },
      sim.compute(),
    );
    if (!vm.found) throw new Error(vm.reason);
    return { nicIds: vm.nicIds, region: vm.location };
  };

  beforeAll(async () => {
    const disks = { os: { sizeGB: 30 } };
    sim = await startArmSim({
      subscriptionId: SUBSCRIPTION,
      simulator: FAST_SIMULATOR,
      vms: [
        { name: 'open-1', resourceGroup: 'rg', os: 'linux', disks },
        {
          name: 'locked-1',
          resourceGroup: 'rg',
          os: 'linux',
          disks,
          nic: { rules: [rule('deny-outbound-all', 100, 'Deny', 'Internet')] },
        },
        {
          name: 'storage-1',
          resourceGroup: 'rg',
          os: 'linux',
          disks,
          nic: {
            rules: [
              rule('allow-storage-443', 100, 'Allow', 'Storage', '443'),
              rule('deny-internet', 200, 'Deny', 'Internet'),
            ],
          },
        },
        { name: 'stopped-1', resourceGroup: 'rg', os: 'linux', powerState: 'deallocated', disks },
      ],
    });
  });
  afterAll(() => sim.stop());

  it('allows a NIC under the default rules', async () => {
    expect(await checkStorageEgress(await nicsOf('open-1'), sim.network())).toMatchObject({
      checked: true,
      allowed: true,
    });
  });

  it('names the rule that blocks outbound 443 to Storage', async () => {
    const result = await checkStorageEgress(await nicsOf('locked-1'), sim.network());
    expect(result).toMatchObject({ checked: true, allowed: false });
    expect(result.reason).toMatch(/^NSG rule deny-outbound-all of \S+ blocks outbound 443 to Storage from \S+$/);
  });

  it('lets a higher-priority Storage rule win over an Internet deny', async () => {
    expect(await checkStorageEgress(await nicsOf('storage-1'), sim.network())).toMatchObject({
      checked: true,
      allowed: true,
    });
  });

  it('reports a NIC whose effective rules cannot be read (VM not running) as unchecked, with why', async () => {
    const result = await checkStorageEgress(await nicsOf('stopped-1'), sim.network());
    expect(result.checked).toBe(false);
    expect(result.reason).toMatch(/could not be read/);
  });
});
