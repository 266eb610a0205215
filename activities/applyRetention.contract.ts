import { z } from 'zod';

import { defineActivity } from '../shared/activity/ActivityContract.js';
import { PolicyName, Retention } from '../shared/policy/BackupPolicy.js';
import type { InspectedVm } from './inspectVm.contract.js';

export const ApplyRetentionInput = z.object({
  policy: PolicyName,
  /** The VM whose resource group holds its snapshots (createDiskSnapshots makes them there). */
  vm: z.object({ subscriptionId: z.string().min(1), resourceGroup: z.string().min(1), name: z.string().min(1) }),
  /** The VM's disks: only snapshots of these are considered. */
  diskIds: z.array(z.string().min(1)).min(1),
  retention: Retention,
  /** Plan only: report what would be deleted, delete nothing. */
  dryRun: z.boolean(),
  /** The instant ages are measured from (the orchestrator's current time); the activity's clock when absent. */
  now: z.iso.datetime({ offset: true }).optional(),
});
export type ApplyRetentionInput = z.output<typeof ApplyRetentionInput>;

const Decided = z.object({ id: z.string(), because: z.string() });

export const ApplyRetentionOutput = z.object({
  dryRun: z.boolean(),
  kept: z.array(Decided),
  /** Deleted (or, on a dry run, to be deleted). */
  deleted: z.array(Decided),
  /** Planned for deletion but not deleted, with ARM's answer; the next run tries again. */
  failed: z.array(z.object({ id: z.string(), error: z.string() })),
  /** Snapshots in the resource group that are not this policy's (or not Succeeded): never touched. */
  ignored: z.number().int().nonnegative(),
});
export type ApplyRetentionOutput = z.infer<typeof ApplyRetentionOutput>;

/**
 * Step 8 of backupVm: the policy's retention over the VM's snapshots that Quiesce made for this policy, and no other
 * snapshot. Listing failures throw (nothing is done yet); a snapshot that cannot be deleted is a result.
 */
export const applyRetentionContract = defineActivity('applyRetention', ApplyRetentionInput, ApplyRetentionOutput);

/** The input that runs a policy's retention over the snapshots of one VM as inspected (its resource group, its disks). */
export function retentionInputFor<DryRun extends boolean>(
  vm: InspectedVm,
  policy: string,
  retention: Retention,
  dryRun: DryRun,
  now?: Date,
): ApplyRetentionInput & { dryRun: DryRun } {
  return {
    policy,
    vm: { subscriptionId: vm.subscriptionId, resourceGroup: vm.resourceGroup, name: vm.name },
    diskIds: vm.disks.map((d) => d.id),
    retention,
    dryRun,
    ...(now ? { now: now.toISOString() } : {}),
  };
}
