import type { Snapshot } from '@azure/arm-compute';

import type { RetainedSnapshot } from '../shared/retention/planRetention.js';

/**
 * The snapshots retention may act on: tagged by Quiesce (`quiesce-managed: true`) for this very policy, of one of the
 * given disks, Succeeded, with a creation time. Everything else (manual snapshots, other tools, other policies, names
 * that merely look like ours) is only counted.
 */
export function policySnapshots(
  snapshots: readonly Snapshot[],
  policy: string,
  diskIds: readonly string[],
): { ours: RetainedSnapshot[]; ignored: number } {
  const disks = new Set(diskIds.map((id) => id.toLowerCase()));
  const ours: RetainedSnapshot[] = [];
  for (const snapshot of snapshots) {
    const diskId = snapshot.creationData?.sourceResourceId?.toLowerCase();
    if (
      snapshot.id !== undefined &&
      snapshot.tags?.['quiesce-managed'] === 'true' &&
      snapshot.tags['quiesce-policy'] === policy &&
      diskId !== undefined &&
      disks.has(diskId) &&
      snapshot.provisioningState === 'Succeeded' &&
      snapshot.timeCreated !== undefined
    )
      // Lower-cased so that ids spelled differently still count as one disk in the plan.
      ours.push({ id: snapshot.id, diskId, createdAt: snapshot.timeCreated.toISOString() });
  }
  return { ours, ignored: snapshots.length - ours.length };
}
