import { z } from 'zod';

/** Where a resource lives and what it is called, from its id. */
export interface ResourceRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}
export type VmRef = ResourceRef;

function resourceIdPattern(type: string): RegExp {
  const escaped = type.replace(/\./g, '\\.');
  return new RegExp(`^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/${escaped}/([^/]+)$`, 'i');
}

const VM_ID = resourceIdPattern('Microsoft.Compute/virtualMachines');
const NIC_ID = resourceIdPattern('Microsoft.Network/networkInterfaces');
const SNAPSHOT_ID = resourceIdPattern('Microsoft.Compute/snapshots');

function parseResourceId(pattern: RegExp, id: string, what: string): ResourceRef {
  const match = pattern.exec(id);
  if (!match) throw new Error(`"${id}" is not ${what} resource id.`);
  const [, subscriptionId = '', resourceGroup = '', name = ''] = match;
  return { subscriptionId, resourceGroup, name };
}

export const VmResourceId = z
  .string()
  .regex(
    VM_ID,
    'must be a VM resource id: /subscriptions/…/resourceGroups/…/providers/Microsoft.Compute/virtualMachines/…',
  );

export const SnapshotResourceId = z
  .string()
  .regex(
    SNAPSHOT_ID,
    'must be a snapshot resource id: /subscriptions/…/resourceGroups/…/providers/Microsoft.Compute/snapshots/…',
  );

export function parseVmId(vmId: string): VmRef {
  return parseResourceId(VM_ID, vmId, 'a VM');
}

export function parseNicId(nicId: string): ResourceRef {
  return parseResourceId(NIC_ID, nicId, 'a network interface');
}

export function parseSnapshotId(snapshotId: string): ResourceRef {
  return parseResourceId(SNAPSHOT_ID, snapshotId, 'a snapshot');
}

/** The last segment of any resource id (a disk's or NIC's name). */
export function resourceName(id: string): string {
  return id.split('/').filter(Boolean).at(-1) ?? id;
}
