import { z } from 'zod';

import { defineActivity } from '../shared/activity/ActivityContract.js';
import { DiskRef } from './inspectVm.contract.js';

export const CreateDiskSnapshotsInput = z.object({
  runId: z.string().min(1),
  /** The policy whose retention owns these snapshots; absent for on-demand runs without a policy. */
  policy: z.string().optional(),
  vm: z.object({ name: z.string(), subscriptionId: z.string(), resourceGroup: z.string(), location: z.string() }),
  disks: z.array(DiskRef).min(1),
  incremental: z.boolean(),
  /** The policy's extra tags; Quiesce adds its own (quiesce-*) for ownership, retention and evidence. */
  tags: z.record(z.string(), z.string()).default({}),
  /** Hard limit for every disk's operation to reach Succeeded: the guest is frozen meanwhile. */
  deadlineMs: z.number().int().min(100).max(600_000),
  /**
   * How often each operation is polled: fast while the guest is frozen (every poll is a read against ARM's read
   * throttle, worth it only inside the freeze window), slow otherwise.
   */
  pollIntervalMs: z.number().int().min(10).max(10_000).default(50),
  /**
   * While the guest is frozen: the thaw to put on its agent's queue as soon as every operation has settled (see
   * createDiskSnapshots). Its command id differs from the orchestrator's own thaw, which goes out only if this one did not.
   */
  thaw: z
    .object({
      vmId: z.string().min(1),
      instanceId: z.string().min(1),
      commandId: z.string().min(8).max(64),
      ttlSeconds: z.number().int().min(5).max(900),
    })
    .optional(),
});

export const DiskSnapshotResult = z.object({
  disk: z.string(),
  diskId: z.string(),
  snapshotName: z.string(),
  snapshotId: z.string().optional(),
  ok: z.boolean(),
  error: z.string().optional(),
  acceptedAt: z.string(),
  succeededAt: z.string().optional(),
  /** The snapshot was fully copied when it Succeeded (no background copy to wait for). */
  copied: z.boolean().optional(),
});
export type DiskSnapshotResult = z.infer<typeof DiskSnapshotResult>;

export const ThawSent = z.union([
  z.object({ sent: z.literal(true), messageId: z.string(), sentAt: z.string() }),
  z.object({ sent: z.literal(false), reason: z.string() }),
]);
export type ThawSent = z.infer<typeof ThawSent>;

export const CreateDiskSnapshotsOutput = z.object({
  results: z.array(DiskSnapshotResult),
  startedAt: z.string(),
  endedAt: z.string(),
  /** The thaw the input asked for, sent right after the last operation settled. */
  thaw: ThawSent.optional(),
});
export type CreateDiskSnapshotsOutput = z.infer<typeof CreateDiskSnapshotsOutput>;

/**
 * Step 4 of backupVm, inside the freeze window: one snapshot per disk, all started at once, each operation polled
 * quickly until it Succeeded, under a hard deadline. A disk that fails is a result, not an error.
 */
export const createDiskSnapshotsContract = defineActivity(
  'createDiskSnapshots',
  CreateDiskSnapshotsInput,
  CreateDiskSnapshotsOutput,
);
