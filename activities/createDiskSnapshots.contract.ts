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

export const CreateDiskSnapshotsOutput = z.object({
  results: z.array(DiskSnapshotResult),
  startedAt: z.string(),
  endedAt: z.string(),
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
