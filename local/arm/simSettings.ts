import { z } from 'zod';

/** A [min, max] range in milliseconds; each operation samples uniformly inside it. */
const MsRange = z
  .tuple([z.number().nonnegative(), z.number().nonnegative()])
  .refine(([min, max]) => min <= max, 'the minimum must not exceed the maximum');

const Bucket = z.object({ burst: z.number().positive(), perSecond: z.number().nonnegative() });

/**
 * How the simulator behaves. Defaults come from reference/azure-snapshot-and-queue-semantics.md: snapshot operations
 * start 0.5–1.5 s after the 202 and run 0.19–0.77 s (§1.4), ARM buckets per principal (§4.1), CRP per-VM Low Cost Get
 * 12/min with 36 burst (§4.2), 7 incremental snapshots per disk per 5 min (§1.3). Read and list latencies are not in
 * the recordings; the defaults are [inferred] typical front-door figures.
 */
export const SimSettings = z.object({
  location: z.string().min(1).default('eastus'),
  pageSize: z.number().int().positive().default(1000),
  lro: z
    .object({
      /** Retry-After on the 202 of a snapshot PUT/DELETE (the recordings show 2). 0 lets the client's own interval rule. */
      retryAfterSeconds: z.number().int().nonnegative().default(2),
      /** Retry-After on in-progress operation polls; none by default (not seen in the recordings). */
      pollRetryAfterSeconds: z.number().int().nonnegative().optional(),
    })
    .prefault({}),
  latency: z
    .object({
      /** Multiplies every latency below: 0 makes the simulator answer at once, 0.01 keeps the shape but 100× faster. */
      scale: z.number().nonnegative().default(1),
      readMs: MsRange.default([20, 80]),
      listMs: MsRange.default([50, 200]),
      writeAcceptMs: MsRange.default([50, 150]),
      snapshotStartDelayMs: MsRange.default([500, 1500]),
      snapshotOperationMs: MsRange.default([200, 800]),
      deleteOperationMs: MsRange.default([200, 800]),
      /** Background copy of incremental snapshots of Premium SSD v2 / Ultra disks (completionPercent 0 → 100). */
      backgroundCopyMs: MsRange.default([30_000, 120_000]),
      nsgOperationMs: MsRange.default([500, 1500]),
    })
    .prefault({}),
  throttle: z
    .object({
      enabled: z.boolean().default(true),
      /** Multiplies every bucket size and refill rate (10 = ten times the quota). */
      scale: z.number().positive().default(1),
      reads: Bucket.default({ burst: 250, perSecond: 25 }),
      writes: Bucket.default({ burst: 200, perSecond: 10 }),
      deletes: Bucket.default({ burst: 200, perSecond: 10 }),
      /** CRP "Low Cost Get VM" (Get, Instance View) per VM: 12 per minute, 36 burst. */
      vmGetPerVm: Bucket.default({ burst: 36, perSecond: 12 / 60 }),
    })
    .prefault({}),
  limits: z.object({ incrementalSnapshotsPerDiskPer5Min: z.number().int().positive().default(7) }).prefault({}),
});
export type SimSettings = z.infer<typeof SimSettings>;
export type SimSettingsInput = z.input<typeof SimSettings>;
