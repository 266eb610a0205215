import { ArmError } from '../http/ArmHttp.js';
import type { Inventory, PowerState } from '../Inventory.js';

export function setPowerState(inventory: Inventory, resourceGroup: string, vmName: string, state: PowerState): void {
  const vm = inventory.vms.get(inventory.resourceId(resourceGroup, 'Microsoft.Compute', 'virtualMachines', vmName));
  if (!vm) throw new ArmError(404, 'ResourceNotFound', `VM '${resourceGroup}/${vmName}' is not in the fleet.`);
  vm.powerState = state;
}

/** Detaches a data disk from its VM, as `az vm disk detach` would (an OS disk cannot be detached). */
export function detachDisk(inventory: Inventory, resourceGroup: string, diskName: string): void {
  const disk = inventory.disks.get(inventory.resourceId(resourceGroup, 'Microsoft.Compute', 'disks', diskName));
  if (!disk) throw new ArmError(404, 'ResourceNotFound', `Disk '${resourceGroup}/${diskName}' is not in the fleet.`);
  if (disk.managedBy === undefined) return;
  const vm = inventory.vms.get(disk.managedBy);
  if (vm?.osDiskId.toLowerCase() === disk.id.toLowerCase())
    throw new ArmError(409, 'OperationNotAllowed', `Disk '${diskName}' is the OS disk of its VM.`);
  if (vm) vm.dataDisks = vm.dataDisks.filter((d) => d.diskId.toLowerCase() !== disk.id.toLowerCase());
  disk.managedBy = undefined;
}
