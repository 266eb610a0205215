import type { FaultAction } from '../faults/FaultRule.js';
import type { ArmRequest, ArmResponse } from '../http/ArmHttp.js';
import { ArmError } from '../http/ArmHttp.js';
import type { Inventory, NicRecord } from '../Inventory.js';
import type { Latency } from '../Latency.js';
import type { Operations } from '../lro/Operations.js';
import type { SimSettings } from '../simSettings.js';
import { effectiveRules } from './effectiveRules.js';

/** Network interfaces: GET, and the effective NSGs as the Network RP's LRO POST (202 + Location). */
export class NetworkService {
  constructor(
    private readonly inventory: Inventory,
    private readonly operations: Operations,
    private readonly latency: Latency,
    private readonly settings: SimSettings,
  ) {}

  getNic(request: ArmRequest): ArmResponse {
    const nic = this.find(request);
    return {
      status: 200,
      body: {
        id: nic.id,
        name: nic.name,
        type: 'Microsoft.Network/networkInterfaces',
        location: nic.location,
        properties: {
          provisioningState: 'Succeeded',
          virtualMachine: nic.vmId === undefined ? undefined : { id: nic.vmId },
          networkSecurityGroup: { id: this.nsgId(nic) },
          ipConfigurations: [
            {
              name: 'ipconfig1',
              id: `${nic.id}/ipConfigurations/ipconfig1`,
              properties: { privateIPAddress: '10.0.0.4', primary: true, subnet: { id: this.subnetId(nic) } },
            },
          ],
          primary: true,
        },
      },
    };
  }

  listEffectiveNsgs(request: ArmRequest, fault: FaultAction | undefined): ArmResponse {
    const nic = this.find(request);
    const vm = nic.vmId === undefined ? undefined : this.inventory.vms.get(nic.vmId);
    // [UNVERIFIED] Azure only computes effective rules for a NIC attached to a running VM; the code is ours.
    if (vm?.powerState !== 'running')
      throw new ArmError(
        400,
        'NicNotAttachedToRunningVm',
        `Network interface '${nic.name}' is not attached to a running VM.`,
      );
    const operation = this.operations.create('Microsoft.Network');
    void (async () => {
      await this.latency.wait('nsgOperationMs');
      this.operations.start(operation);
      if (fault?.kind === 'failOperation') this.operations.fail(operation, fault.code, fault.message);
      else this.operations.succeed(operation, () => this.effectiveNsgs(nic));
    })();
    const apiVersion = request.query.get('api-version') ?? '';
    return {
      status: 202,
      headers: this.operations.headers(request.baseUrl, operation, apiVersion, this.settings.lro.retryAfterSeconds),
    };
  }

  private effectiveNsgs(nic: NicRecord): unknown {
    const value: unknown[] = [
      {
        networkSecurityGroup: { id: this.nsgId(nic) },
        association: { networkInterface: { id: nic.id } },
        effectiveSecurityRules: effectiveRules(nic.rules),
      },
    ];
    if (nic.subnetRules !== undefined)
      value.push({
        networkSecurityGroup: { id: `${this.nsgId(nic)}-subnet` },
        association: { subnet: { id: this.subnetId(nic) } },
        effectiveSecurityRules: effectiveRules(nic.subnetRules),
      });
    return { value };
  }

  private nsgId(nic: NicRecord): string {
    return this.inventory.resourceId(
      nic.resourceGroup,
      'Microsoft.Network',
      'networkSecurityGroups',
      `${nic.name}-nsg`,
    );
  }

  private subnetId(nic: NicRecord): string {
    return `${this.inventory.resourceId(nic.resourceGroup, 'Microsoft.Network', 'virtualNetworks', 'vnet')}/subnets/default`;
  }

  private find(request: ArmRequest): NicRecord {
    const { rg = '', name = '' } = request.params;
    const nic = this.inventory.nics.get(this.inventory.resourceId(rg, 'Microsoft.Network', 'networkInterfaces', name));
    if (!nic)
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.Network/networkInterfaces/${name}' under resource group '${rg}' was not found.`,
      );
    return nic;
  }
}
