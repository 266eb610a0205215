import { parseVmId } from '../arm/resourceId.js';

/**
 * One agent's URL is `/api/agents` followed by its VM's resource id, so the id's slashes need no encoding:
 * `/api/agents/subscriptions/…/resourceGroups/…/providers/Microsoft.Compute/virtualMachines/web-1`.
 */
export const AGENT_ROUTE =
  'agents/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Compute/virtualMachines/{vmName}';

/** The VM resource id an agent route names. */
export function vmIdFromRoute(params: Record<string, string | undefined>): string {
  const { subscriptionId = '', resourceGroup = '', vmName = '' } = params;
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${vmName}`;
}

/** The API path (after `/api/`) of a VM's agent. */
export function agentPath(vmId: string): string {
  const { subscriptionId, resourceGroup, name } = parseVmId(vmId.trim());
  return vmIdFromRoute({
    subscriptionId: encodeURIComponent(subscriptionId),
    resourceGroup: encodeURIComponent(resourceGroup),
    vmName: encodeURIComponent(name),
  }).replace(/^\//, 'agents/');
}
