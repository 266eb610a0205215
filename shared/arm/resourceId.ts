import { z } from 'zod';

const VM_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i;

export const VmResourceId = z
  .string()
  .regex(
    VM_ID,
    'must be a VM resource id: /subscriptions/…/resourceGroups/…/providers/Microsoft.Compute/virtualMachines/…',
  );

export interface VmRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export function parseVmId(vmId: string): VmRef {
  const match = VM_ID.exec(vmId);
  if (!match) throw new Error(`"${vmId}" is not a VM resource id.`);
  const [, subscriptionId = '', resourceGroup = '', name = ''] = match;
  return { subscriptionId, resourceGroup, name };
}

/** The last segment of any resource id (a disk's or NIC's name). */
export function resourceName(id: string): string {
  return id.split('/').filter(Boolean).at(-1) ?? id;
}

const NIC_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/networkInterfaces\/([^/]+)$/i;

export function parseNicId(nicId: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const match = NIC_ID.exec(nicId);
  if (!match) throw new Error(`"${nicId}" is not a network interface resource id.`);
  const [, subscriptionId = '', resourceGroup = '', name = ''] = match;
  return { subscriptionId, resourceGroup, name };
}
