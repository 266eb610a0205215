import { z } from 'zod';

export const DiskRef = z.object({ id: z.string(), name: z.string(), lun: z.number().int().nullable() });
export type DiskRef = z.infer<typeof DiskRef>;

export const InspectedVm = z.object({
  found: z.literal(true),
  vmId: z.string(),
  name: z.string(),
  resourceGroup: z.string(),
  subscriptionId: z.string(),
  location: z.string(),
  /** e.g. running, deallocated, stopped (from PowerState/<code>). */
  powerState: z.string(),
  running: z.boolean(),
  os: z.enum(['linux', 'windows']),
  /** The OS disk first, then the data disks by LUN. */
  disks: z.array(DiskRef),
  nicIds: z.array(z.string()),
  tags: z.record(z.string(), z.string()),
});
export type InspectedVm = z.infer<typeof InspectedVm>;

export const InspectVmOutput = z.discriminatedUnion('found', [
  z.object({ found: z.literal(false), reason: z.string() }),
  InspectedVm,
]);
export type InspectVmOutput = z.infer<typeof InspectVmOutput>;
