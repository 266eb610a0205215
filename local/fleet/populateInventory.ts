import { randomUUID } from 'node:crypto';

import { Inventory } from '../arm/Inventory.js';
import type { FleetFile } from './FleetFile.js';

/** Fills a fresh inventory from a fleet: per VM its OS disk, data disks (LUN 0, 1, ... unless given) and one NIC. */
export function populateInventory(fleet: FleetFile, now = new Date()): Inventory {
  const inventory = new Inventory(fleet.subscriptionId);
  const timeCreated = now.toISOString();
  for (const vm of fleet.vms) {
    const location = vm.location ?? fleet.location;
    const rg = vm.resourceGroup;
    inventory.addResourceGroup(rg);
    const vmId = inventory.resourceId(rg, 'Microsoft.Compute', 'virtualMachines', vm.name);
    const osType = vm.os === 'linux' ? 'Linux' : 'Windows';
    const osDiskName = vm.disks.os.name ?? `${vm.name}-osdisk`;
    const osDiskId = inventory.resourceId(rg, 'Microsoft.Compute', 'disks', osDiskName);
    inventory.disks.set({
      id: osDiskId,
      name: osDiskName,
      resourceGroup: rg,
      location,
      sizeGB: vm.disks.os.sizeGB,
      sku: vm.disks.os.sku,
      osType,
      file: vm.disks.os.file,
      managedBy: vmId,
      uniqueId: randomUUID(),
      timeCreated,
    });
    const usedLuns = new Set(vm.disks.data.flatMap((disk) => (disk.lun === undefined ? [] : [disk.lun])));
    let nextLun = 0;
    const dataDisks = vm.disks.data.map((disk, index) => {
      let lun = disk.lun;
      if (lun === undefined) {
        while (usedLuns.has(nextLun)) nextLun += 1;
        lun = nextLun;
        usedLuns.add(lun);
      }
      const name = disk.name ?? `${vm.name}-datadisk-${index}`;
      const id = inventory.resourceId(rg, 'Microsoft.Compute', 'disks', name);
      inventory.disks.set({
        id,
        name,
        resourceGroup: rg,
        location,
        sizeGB: disk.sizeGB,
        sku: disk.sku,
        osType: undefined,
        file: disk.file,
        managedBy: vmId,
        uniqueId: randomUUID(),
        timeCreated,
      });
      return { lun, diskId: id };
    });
    const nicName = vm.nic.name ?? `${vm.name}-nic`;
    const nicId = inventory.resourceId(rg, 'Microsoft.Network', 'networkInterfaces', nicName);
    inventory.nics.set({
      id: nicId,
      name: nicName,
      resourceGroup: rg,
      location,
      vmId,
      rules: vm.nic.rules,
      subnetRules: vm.nic.subnetRules,
    });
    inventory.vms.set({
      id: vmId,
      name: vm.name,
      resourceGroup: rg,
      location,
      os: vm.os,
      powerState: vm.powerState,
      size: vm.size,
      tags: vm.tags,
      vmId: randomUUID(),
      timeCreated,
      osDiskId,
      dataDisks,
      nicId,
    });
  }
  return inventory;
}
