import { z } from 'zod';

import { FaultRuleInput } from '../arm/faults/FaultRule.js';
import { SimSettings } from '../arm/simSettings.js';

/** ARM resource names: letters, digits, `_`, `-`, `.`; at most 80 characters. */
const ResourceName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/,
    'letters, digits, "_", "-", "." (starting with a letter or digit), at most 80',
  );

const DiskSku = z.enum([
  'Standard_LRS',
  'Premium_LRS',
  'StandardSSD_LRS',
  'UltraSSD_LRS',
  'Premium_ZRS',
  'StandardSSD_ZRS',
  'PremiumV2_LRS',
]);

const Disk = z
  .object({
    name: ResourceName.optional(),
    sizeGB: z.number().int().positive().default(32),
    sku: DiskSku.default('Premium_LRS'),
    /** A real file (for example a loop-mounted ext4 image) that backs the disk; snapshots copy it. Relative to the fleet file. */
    file: z.string().min(1).optional(),
  })
  .strict();

const DataDisk = Disk.extend({ lun: z.number().int().min(0).max(63).optional() }).strict();

const PortRange = z.string().regex(/^(\*|\d{1,5}(-\d{1,5})?)$/, '"*", a port, or a range such as "400-500"');

const SecurityRule = z
  .object({
    name: z.string().min(1),
    priority: z.number().int().min(100).max(4096),
    direction: z.enum(['Inbound', 'Outbound']),
    access: z.enum(['Allow', 'Deny']),
    protocol: z.enum(['Tcp', 'Udp', 'Icmp', 'All']).default('Tcp'),
    destinationPortRange: PortRange.default('*'),
    /** A CIDR, "*", or a service tag such as Storage, Storage.EastUS, Internet, VirtualNetwork. */
    destinationAddressPrefix: z.string().min(1).default('*'),
    sourceAddressPrefix: z.string().min(1).default('*'),
  })
  .strict();
export type SecurityRule = z.infer<typeof SecurityRule>;

const Nic = z
  .object({
    name: ResourceName.optional(),
    /** Rules of the NSG on the network interface (the default rules are always added). */
    rules: z.array(SecurityRule).default([]),
    /** Rules of an NSG on the subnet, if the subnet has one. */
    subnetRules: z.array(SecurityRule).optional(),
  })
  .strict();

/**
 * The guest agent of a VM, kept as data: the fleet hands it to whoever starts agents (see runFleet's onVmReady), so
 * the simulator stays independent of the agent.
 */
const AgentSettings = z
  .object({
    installed: z.boolean().default(true),
    scriptsDir: z.string().min(1).optional(),
    maxFrozenSeconds: z.number().int().positive().optional(),
    /** Mount points a Linux agent freezes (for example a loop-mounted image of a file-backed disk). */
    freezeMounts: z.array(z.string().min(1)).optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type AgentSettings = z.infer<typeof AgentSettings>;

const Vm = z
  .object({
    name: ResourceName,
    resourceGroup: ResourceName,
    os: z.enum(['linux', 'windows']),
    powerState: z
      .enum(['running', 'stopped', 'deallocated', 'starting', 'stopping', 'deallocating'])
      .default('running'),
    size: z.string().min(1).default('Standard_D2s_v5'),
    location: z.string().min(1).optional(),
    tags: z.record(z.string(), z.string()).default({}),
    disks: z
      .object({ os: Disk.prefault({}), data: z.array(DataDisk).default([]) })
      .strict()
      .prefault({}),
    nic: Nic.prefault({}),
    agent: AgentSettings.prefault({}),
  })
  .strict();

export const FleetFile = z
  .object({
    subscriptionId: z.uuid().default('00000000-0000-0000-0000-000000000000'),
    location: z.string().min(1).default('eastus'),
    simulator: SimSettings.omit({ location: true }).prefault({}),
    vms: z.array(Vm).default([]),
    faults: z.array(FaultRuleInput).default([]),
  })
  .strict()
  .superRefine((fleet, ctx) => {
    const seen = new Map<string, number>();
    fleet.vms.forEach((vm, index) => {
      const key = `${vm.resourceGroup}/${vm.name}`.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['vms', index, 'name'],
          message: `VM "${vm.name}" in resource group "${vm.resourceGroup}" is already defined at vms[${first}]`,
        });
      else seen.set(key, index);
      const luns = new Set<number>();
      vm.disks.data.forEach((disk, d) => {
        if (disk.lun === undefined) return;
        if (luns.has(disk.lun))
          ctx.addIssue({
            code: 'custom',
            path: ['vms', index, 'disks', 'data', d, 'lun'],
            message: `LUN ${disk.lun} is used twice`,
          });
        luns.add(disk.lun);
      });
    });
  });
export type FleetFile = z.infer<typeof FleetFile>;
export type FleetVm = FleetFile['vms'][number];
