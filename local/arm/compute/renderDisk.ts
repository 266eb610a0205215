import type { DiskRecord, Inventory } from '../Inventory.js';

/** A managed disk as the Disk RP returns it. */
export function renderDisk(inventory: Inventory, disk: DiskRecord): unknown {
  const vm = disk.managedBy === undefined ? undefined : inventory.vms.get(disk.managedBy);
  const diskState = vm === undefined ? 'Unattached' : vm.powerState === 'deallocated' ? 'Reserved' : 'Attached';
  return {
    id: disk.id,
    name: disk.name,
    type: 'Microsoft.Compute/disks',
    location: disk.location,
    managedBy: disk.managedBy,
    sku: { name: disk.sku, tier: disk.sku.startsWith('Premium') ? 'Premium' : 'Standard' },
    properties: {
      osType: disk.osType,
      hyperVGeneration: disk.osType === undefined ? undefined : 'V2',
      creationData: { createOption: disk.osType === undefined ? 'Empty' : 'FromImage' },
      diskSizeGB: disk.sizeGB,
      diskSizeBytes: disk.sizeGB * 1024 ** 3,
      uniqueId: disk.uniqueId,
      encryption: { type: 'EncryptionAtRestWithPlatformKey' },
      networkAccessPolicy: 'AllowAll',
      publicNetworkAccess: 'Enabled',
      timeCreated: disk.timeCreated,
      provisioningState: 'Succeeded',
      diskState,
    },
  };
}
