import { z } from 'zod';

import { defineActivity } from '../shared/activity/ActivityContract.js';
import { VmResourceId } from '../shared/arm/resourceId.js';
import { BackupPolicy } from '../shared/policy/BackupPolicy.js';
import { RunTarget } from '../shared/runs/runInputs.js';

export { RunTarget } from '../shared/runs/runInputs.js';

export const ResolveRunTargetsOutput = z.object({
  vms: z.array(RunTarget),
  excluded: z.array(z.object({ vmId: z.string(), reason: z.string() })),
});
export type ResolveRunTargetsOutput = z.infer<typeof ResolveRunTargetsOutput>;

/**
 * The VMs of a run, each with the instance id of its backupVm: the VMs named (on-demand), or the policy's targets
 * resolved against the inventory now (resource groups, subscriptions, tags, excludes, and the priority between
 * policies that target the same VM).
 */
export const resolveRunTargetsContract = defineActivity(
  'resolveRunTargets',
  z.object({ runId: z.string().min(1), policy: BackupPolicy.optional(), vmIds: z.array(VmResourceId).optional() }),
  ResolveRunTargetsOutput,
);
