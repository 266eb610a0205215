import type { SnapshotRecord } from '../Inventory.js';

/** Percentage of the background copy done (100 when there is none). */
export function completionPercent(snapshot: SnapshotRecord, nowMs: number): number {
  const copy = snapshot.backgroundCopy;
  if (copy === undefined) return 100;
  if (copy.durationMs <= 0) return 100;
  const done = ((nowMs - copy.startedAtMs) / copy.durationMs) * 100;
  return Math.max(0, Math.min(100, Math.round(done * 10) / 10));
}

/** A snapshot as the Disk RP returns it (TestSnapshotTestSuite recording, Snapshot_GetIncrementalSnapshot example). */
export function renderSnapshot(snapshot: SnapshotRecord, nowMs: number): unknown {
  const percent = completionPercent(snapshot, nowMs);
  const succeeded = snapshot.provisioningState === 'Succeeded';
  return {
    id: snapshot.id,
    name: snapshot.name,
    type: 'Microsoft.Compute/snapshots',
    location: snapshot.location,
    tags: snapshot.tags,
    sku: { name: snapshot.sku, tier: 'Standard' },
    properties: {
      osType: snapshot.osType,
      creationData: {
        createOption: 'Copy',
        sourceResourceId: snapshot.sourceDiskId,
        sourceUniqueId: snapshot.sourceUniqueId,
      },
      diskSizeGB: snapshot.sizeGB,
      diskSizeBytes: snapshot.sizeGB * 1024 ** 3,
      encryption: { type: 'EncryptionAtRestWithPlatformKey' },
      incremental: snapshot.incremental,
      incrementalSnapshotFamilyId: snapshot.incremental ? snapshot.sourceUniqueId : undefined,
      networkAccessPolicy: 'AllowAll',
      publicNetworkAccess: 'Enabled',
      timeCreated: snapshot.timeCreated,
      provisioningState: snapshot.provisioningState,
      diskState: 'Unattached',
      uniqueId: snapshot.uniqueId,
      completionPercent: succeeded ? percent : undefined,
      snapshotAccessState: succeeded ? (percent < 100 ? 'Pending' : 'Available') : undefined,
    },
  };
}
