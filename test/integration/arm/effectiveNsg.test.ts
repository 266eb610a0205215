import { isRestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { allowsOutbound } from '../../../shared/network/allowsOutbound.js';
import { type ArmSimProcess, FAST_SIMULATOR, startArmSim, testVm } from '../../support/armSimProcess.js';

const STORAGE_443 = { port: 443, serviceTag: 'Storage', region: 'eastus' };

describe('effective network security groups through @azure/arm-network', () => {
  let sim: ArmSimProcess;

  beforeAll(async () => {
    sim = await startArmSim({
      simulator: FAST_SIMULATOR,
      vms: [
        testVm('open'),
        testVm('storage-only', 'rg-test', {
          nic: {
            rules: [
              {
                name: 'allow-storage',
                priority: 100,
                direction: 'Outbound',
                access: 'Allow',
                destinationPortRange: '443',
                destinationAddressPrefix: 'Storage.EastUS',
              },
              {
                name: 'deny-internet',
                priority: 200,
                direction: 'Outbound',
                access: 'Deny',
                protocol: 'All',
                destinationAddressPrefix: 'Internet',
              },
            ],
          },
        }),
        testVm('no-internet', 'rg-test', {
          nic: {
            rules: [
              {
                name: 'deny-internet',
                priority: 200,
                direction: 'Outbound',
                access: 'Deny',
                destinationAddressPrefix: 'Internet',
              },
            ],
          },
        }),
        testVm('subnet-blocks', 'rg-test', {
          nic: {
            subnetRules: [
              {
                name: 'deny-443',
                priority: 300,
                direction: 'Outbound',
                access: 'Deny',
                destinationPortRange: '400-500',
              },
            ],
          },
        }),
        testVm('stopped', 'rg-test', { powerState: 'deallocated' }),
      ],
    });
  });
  afterAll(async () => {
    await sim.stop();
  });

  const effective = (vm: string) =>
    sim.network().networkInterfaces.beginListEffectiveNetworkSecurityGroupsAndWait('rg-test', `${vm}-nic`, {
      updateIntervalInMs: 20,
    });

  it('returns the NIC NSG with its rules and Azure default rules through the LRO POST', async () => {
    const result = await effective('open');
    const names = result.value?.[0]?.effectiveSecurityRules?.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(['defaultSecurityRules/AllowInternetOutBound', 'defaultSecurityRules/DenyAllOutBound']),
    );
    expect(allowsOutbound(result.value ?? [], STORAGE_443)).toEqual({ allowed: true });
  });

  it('allows 443 to Storage when a higher-priority rule allows it, even though Internet is denied', async () => {
    expect(allowsOutbound((await effective('storage-only')).value ?? [], STORAGE_443)).toEqual({ allowed: true });
  });

  it('denies 443 to Storage when the NIC denies Internet, naming the rule', async () => {
    const verdict = allowsOutbound((await effective('no-internet')).value ?? [], STORAGE_443);
    expect(verdict).toMatchObject({
      allowed: false,
      deniedBy: expect.stringMatching(/securityRules\/deny-internet$/) as unknown,
    });
  });

  it('denies 443 to Storage when the subnet NSG blocks it although the NIC allows it', async () => {
    const result = await effective('subnet-blocks');
    expect(result.value).toHaveLength(2);
    expect(allowsOutbound(result.value ?? [], STORAGE_443)).toMatchObject({ allowed: false });
  });

  it('refuses effective rules for a VM that is not running', async () => {
    const error = await effective('stopped').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRestError(error) && error.statusCode).toBe(400);
  });

  it('serves the network interface itself', async () => {
    const nic = await sim.network().networkInterfaces.get('rg-test', 'open-nic');
    expect(nic.virtualMachine?.id).toMatch(/\/virtualMachines\/open$/);
  });
});
