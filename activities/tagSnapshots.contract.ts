import { z } from 'zod';

import { defineActivity } from '../shared/activity/ActivityContract.js';
import { inOneSubscription, SnapshotSet } from '../shared/arm/snapshotSet.js';

export const TagSnapshotsInput = z
  .object({
    ...SnapshotSet,
    /** Added to each snapshot's tags; a key it already has gets the new value, every other tag stays. */
    tags: z.record(z.string(), z.string()),
  })
  .refine(...inOneSubscription);

export const TagSnapshotsOutput = z.object({
  tagged: z.array(z.string()),
  failed: z.array(z.object({ id: z.string(), error: z.string() })),
});
export type TagSnapshotsOutput = z.infer<typeof TagSnapshotsOutput>;

/**
 * Step 7 of backupVm, after the verdict: the run's evidence on its snapshots (quiesce-consistency, quiesce-verdict…),
 * merged into their tags. A snapshot that cannot be tagged is a result; throttling and server errors throw.
 */
export const tagSnapshotsContract = defineActivity('tagSnapshots', TagSnapshotsInput, TagSnapshotsOutput);
