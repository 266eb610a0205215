import type { Inventory, VmRecord } from '../Inventory.js';

const DISPLAY_STATUS: Record<VmRecord['powerState'], string> = {
  running: 'VM running',
  stopped: 'VM stopped',
  deallocated: 'VM deallocated',
  starting: 'VM starting',
  stopping: 'VM stopping',
  deallocating: 'VM deallocating',
};

/** A VM as ARM returns it (VirtualMachine model of the 2024-11-01 ComputeRP spec, the fields Quiesce reads). */
export function renderVm(inventory: Inventory, vm: VmRecord, withInstanceView: boolean): unknown {
  const osDisk = inventory.disks.get(vm.osDiskId);
  const properties: Record<string, unknown> = {
    vmId: vm.vmId,
    hardwareProfile: { vmSize: vm.size },
    storageProfile: {
      osDisk: {
        osType: vm.os === 'linux' ? 'Linux' : 'Windows',
        name: osDisk?.name,
        createOption: 'FromImage',
        caching: 'ReadWrite',
        managedDisk: { id: vm.osDiskId, storageAccountType: osDisk?.sku },
        deleteOption: 'Delete',
        diskSizeGB: osDisk?.sizeGB,
      },
      dataDisks: vm.dataDisks.map(({ lun, diskId }) => {
        const disk = inventory.disks.get(diskId);
        return {
          lun,
          name: disk?.name,
          createOption: 'Attach',
          caching: 'None',
          managedDisk: { id: diskId, storageAccountType: disk?.sku },
          deleteOption: 'Detach',
          diskSizeGB: disk?.sizeGB,
          toBeDetached: false,
        };
      }),
    },
    osProfile: { computerName: vm.name, adminUsername: 'azureuser' },
    networkProfile: { networkInterfaces: [{ id: vm.nicId, properties: { primary: true } }] },
    provisioningState: 'Succeeded',
    timeCreated: vm.timeCreated,
  };
  if (withInstanceView) properties['instanceView'] = renderInstanceView(inventory, vm);
  return {
    id: vm.id,
    name: vm.name,
    type: 'Microsoft.Compute/virtualMachines',
    location: vm.location,
    tags: vm.tags,
    properties,
  };
}

export function renderInstanceView(inventory: Inventory, vm: VmRecord): unknown {
  const running = vm.powerState === 'running';
  const time = vm.timeCreated;
  const diskIds = [vm.osDiskId, ...vm.dataDisks.map((disk) => disk.diskId)];
  return {
    computerName: running ? vm.name : undefined,
    osName: running ? (vm.os === 'linux' ? 'ubuntu' : 'Windows Server 2022 Datacenter') : undefined,
    osVersion: running ? (vm.os === 'linux' ? '22.04' : '10.0.20348') : undefined,
    vmAgent: running
      ? {
          vmAgentVersion: '2.7.41491.949',
          statuses: [
            {
              code: 'ProvisioningState/succeeded',
              level: 'Info',
              displayStatus: 'Ready',
              message: 'GuestAgent is running and accepting new configurations.',
              time,
            },
          ],
        }
      : undefined,
    disks: diskIds.map((id) => ({
      name: inventory.disks.get(id)?.name,
      statuses: [{ code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded', time }],
    })),
    statuses: [
      { code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded', time },
      { code: `PowerState/${vm.powerState}`, level: 'Info', displayStatus: DISPLAY_STATUS[vm.powerState] },
    ],
  };
}
