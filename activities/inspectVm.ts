import type { ComputeManagementClient } from '@azure/arm-compute';

import { parseVmId, resourceName } from '../shared/arm/resourceId.js';
import { computeClient } from '../shared/clients/armClients.js';
import { isNotFound } from '../shared/errors/restErrors.js';
import type { InspectVmOutput } from './inspectVm.contract.js';

/**
 * Step 1 of backupVm: what the VM is now (power state, OS, disks, NICs). A VM that is gone is a value, not an error.
 * Part of the claimVm activity.
 */
export async function inspectVm(input: { vmId: string }, compute?: ComputeManagementClient): Promise<InspectVmOutput> {
  const ref = parseVmId(input.vmId);
  const client = compute ?? computeClient(ref.subscriptionId);
  let vm;
  try {
    vm = await client.virtualMachines.get(ref.resourceGroup, ref.name, { expand: 'instanceView' });
  } catch (error: unknown) {
    if (isNotFound(error))
      return { found: false, reason: `VM ${ref.name} was not found in resource group ${ref.resourceGroup}.` };
    throw error;
  }
  const powerCode =
    vm.instanceView?.statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code ?? 'PowerState/unknown';
  const powerState = powerCode.slice('PowerState/'.length);
  const osType = vm.storageProfile?.osDisk?.osType ?? vm.instanceView?.osName ?? '';
  const osDisk = vm.storageProfile?.osDisk?.managedDisk?.id;
  const dataDisks = [...(vm.storageProfile?.dataDisks ?? [])].sort((a, b) => a.lun - b.lun);
  return {
    found: true,
    vmId: vm.id ?? input.vmId,
    name: vm.name ?? ref.name,
    resourceGroup: ref.resourceGroup,
    subscriptionId: ref.subscriptionId,
    location: vm.location,
    powerState,
    running: powerState === 'running',
    os: /windows/i.test(String(osType)) ? 'windows' : 'linux',
    disks: [
      ...(osDisk ? [{ id: osDisk, name: resourceName(osDisk), lun: null }] : []),
      ...dataDisks.flatMap((d) =>
        d.managedDisk?.id ? [{ id: d.managedDisk.id, name: resourceName(d.managedDisk.id), lun: d.lun }] : [],
      ),
    ],
    nicIds: (vm.networkProfile?.networkInterfaces ?? []).flatMap((n) => (n.id ? [n.id] : [])),
    tags: vm.tags ?? {},
  };
}
