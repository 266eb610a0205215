import { z } from 'zod';

import { VmResourceId } from '../arm/resourceId.js';
import { BackupPolicy, PolicyName, Retention } from '../policy/BackupPolicy.js';

/** How each VM of a run is backed up: a policy's settings, or an on-demand request's (defaults plus overrides). */
export const RunPlan = BackupPolicy.pick({ guestProcessing: true, failureActions: true, snapshot: true }).extend({
  /** The policy whose retention owns the snapshots; on-demand runs without a policy keep everything. */
  policy: PolicyName.optional(),
  retention: Retention.optional(),
});
export type RunPlan = z.infer<typeof RunPlan>;

/** The input of `backupPolicy`, the orchestration of one run (its instance id is the run id). */
export const BackupRunInput = z.object({
  runId: z.string().min(1).max(100),
  kind: z.enum(['scheduled', 'on-demand']),
  /** The scheduled slot (ISO), for scheduled runs. */
  slot: z.string().optional(),
  /** The policy as it was when the run started (overrides applied); its targets are resolved at run time. */
  policy: BackupPolicy.optional(),
  /** VMs named explicitly (on-demand); used instead of the policy's targets when given. */
  vmIds: z.array(VmResourceId).optional(),
  plan: RunPlan,
  maxParallelVms: z.number().int().min(1).max(1000),
  requestedAt: z.string(),
});
export type BackupRunInput = z.infer<typeof BackupRunInput>;

/** A VM of a run, with the instance id of its backupVm. */
export const RunTarget = z.object({ vmId: z.string(), name: z.string(), instanceId: z.string() });
export type RunTarget = z.infer<typeof RunTarget>;

/** A lane's `seq`-th take of a VM from its run's dispatch (numbered, so a retried take gets the same VM). */
export const LaneTake = z.object({ lane: z.number().int().min(0), seq: z.number().int().min(0) });
export type LaneTake = z.infer<typeof LaneTake>;

/** The input of `backupVm`: one VM in one run (instance id from backupVmInstanceId). */
export const BackupVmInput = z.object({
  runId: z.string().min(1),
  vmId: VmResourceId,
  plan: RunPlan,
  /** For a VM of a lane: the take that hands the lane its next VM when this one is done. */
  laneTake: LaneTake.optional(),
});
export type BackupVmInput = z.infer<typeof BackupVmInput>;

/** The input of `backupLane`: one of a run's `maxParallelVms` lanes, starting with its first VM. */
export const BackupLaneInput = z.object({
  runId: z.string().min(1),
  lane: z.number().int().min(0),
  first: RunTarget,
  plan: RunPlan,
});
export type BackupLaneInput = z.infer<typeof BackupLaneInput>;
