import type { NetworkManagementClient } from '@azure/arm-network';

import { parseNicId, resourceName } from '../shared/arm/resourceId.js';
import { networkClient } from '../shared/clients/armClients.js';
import { describeArmError, isTransient } from '../shared/errors/restErrors.js';
import { allowsOutbound } from '../shared/network/allowsOutbound.js';
import type { CheckStorageEgressOutput } from './checkStorageEgress.contract.js';

export async function checkStorageEgress(
  input: { nicIds: string[]; region: string },
  network?: NetworkManagementClient,
): Promise<CheckStorageEgressOutput> {
  const primary = input.nicIds[0] ?? '';
  const nic = parseNicId(primary);
  const client = network ?? networkClient(nic.subscriptionId);
  let groups;
  try {
    const result = await client.networkInterfaces.beginListEffectiveNetworkSecurityGroupsAndWait(
      nic.resourceGroup,
      nic.name,
      { updateIntervalInMs: 250 },
    );
    groups = result.value ?? [];
  } catch (error: unknown) {
    if (isTransient(error)) throw error;
    return {
      checked: false,
      reason: `the effective NSGs of ${nic.name} could not be read (${describeArmError(error)})`,
    };
  }
  const verdict = allowsOutbound(groups, { port: 443, serviceTag: 'Storage', region: input.region });
  if (verdict.allowed)
    return { checked: true, allowed: true, reason: `the NSGs of ${nic.name} allow outbound 443 to Storage` };
  const [nsgId = '', rule = ''] = splitDeniedBy(verdict.deniedBy);
  return {
    checked: true,
    allowed: false,
    reason: `NSG rule ${rule} of ${resourceName(nsgId)} blocks outbound 443 to Storage from ${nic.name}`,
  };
}

/** `allowsOutbound` names the denying rule as `<nsg id>/<rule name>`. */
function splitDeniedBy(deniedBy: string): [string, string] {
  const at = deniedBy.lastIndexOf('/');
  return [deniedBy.slice(0, at), deniedBy.slice(at + 1)];
}
