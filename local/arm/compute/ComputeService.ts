import type { ArmRequest, ArmResponse } from '../http/ArmHttp.js';
import { ArmError } from '../http/ArmHttp.js';
import { page } from '../http/page.js';
import type { Inventory, VmRecord } from '../Inventory.js';
import type { SimSettings } from '../simSettings.js';
import type { Throttle } from '../throttle/Throttle.js';
import { renderDisk } from './renderDisk.js';
import { renderSnapshot } from './renderSnapshot.js';
import { renderInstanceView, renderVm } from './renderVm.js';

/** Reads of VMs, disks and snapshot lists. */
export class ComputeService {
  constructor(
    private readonly inventory: Inventory,
    private readonly throttle: Throttle,
    private readonly settings: SimSettings,
  ) {}

  listVms(request: ArmRequest): ArmResponse {
    const rg = this.group(request);
    const expand = request.query.get('$expand')?.toLowerCase() === 'instanceview';
    return {
      status: 200,
      body: page(request, this.inventory.vms.list(rg), this.settings.pageSize, (vm) =>
        renderVm(this.inventory, vm, expand),
      ),
    };
  }

  getVm(request: ArmRequest): ArmResponse {
    const vm = this.findVm(request);
    const headers = this.throttle.admitVmGet(vm.id);
    const expand = request.query.get('$expand')?.toLowerCase() === 'instanceview';
    return { status: 200, headers, body: renderVm(this.inventory, vm, expand) };
  }

  instanceView(request: ArmRequest): ArmResponse {
    const vm = this.findVm(request);
    const headers = this.throttle.admitVmGet(vm.id);
    return { status: 200, headers, body: renderInstanceView(this.inventory, vm) };
  }

  listDisks(request: ArmRequest): ArmResponse {
    const rg = this.group(request);
    return {
      status: 200,
      body: page(request, this.inventory.disks.list(rg), this.settings.pageSize, (disk) =>
        renderDisk(this.inventory, disk),
      ),
    };
  }

  getDisk(request: ArmRequest): ArmResponse {
    const { rg = '', name = '' } = request.params;
    const disk = this.inventory.disks.get(this.inventory.resourceId(rg, 'Microsoft.Compute', 'disks', name));
    if (!disk) throw notFound('Microsoft.Compute/disks', name, rg);
    return { status: 200, body: renderDisk(this.inventory, disk) };
  }

  listSnapshots(request: ArmRequest): ArmResponse {
    const rg = this.group(request);
    const now = Date.now();
    return {
      status: 200,
      body: page(request, this.inventory.snapshots.list(rg), this.settings.pageSize, (snapshot) =>
        renderSnapshot(snapshot, now),
      ),
    };
  }

  private group(request: ArmRequest): string | undefined {
    const rg = request.params['rg'];
    if (rg !== undefined && !this.inventory.hasResourceGroup(rg))
      throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
    return rg;
  }

  private findVm(request: ArmRequest): VmRecord {
    const { rg = '', name = '' } = request.params;
    const vm = this.inventory.vms.get(this.inventory.resourceId(rg, 'Microsoft.Compute', 'virtualMachines', name));
    if (!vm) throw notFound('Microsoft.Compute/virtualMachines', name, rg);
    return vm;
  }
}

function notFound(type: string, name: string, rg: string): ArmError {
  return new ArmError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${rg}' was not found.`,
  );
}
