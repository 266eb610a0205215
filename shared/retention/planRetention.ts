import type { Retention } from '../policy/BackupPolicy.js';

/** A snapshot as retention sees it. Only snapshots Quiesce created (tagged by it) ever reach this function. */
export interface RetainedSnapshot {
  id: string;
  diskId: string;
  createdAt: string;
}

export interface RetentionDecision {
  keep: { id: string; because: string }[];
  delete: { id: string; because: string }[];
}

const DAY_MS = 24 * 3600_000;

/**
 * Which of a policy's snapshots to delete, per disk: the newest `minimumKept` always stay; beyond that a snapshot
 * stays while any rule keeps it (among the newest `keepLast`, or younger than `keepDays`), and goes only when every
 * configured rule lets it go.
 */
export function planRetention(
  snapshots: readonly RetainedSnapshot[],
  retention: Retention,
  now: Date,
): RetentionDecision {
  const decision: RetentionDecision = { keep: [], delete: [] };
  const byDisk = new Map<string, RetainedSnapshot[]>();
  for (const snapshot of snapshots) byDisk.set(snapshot.diskId, [...(byDisk.get(snapshot.diskId) ?? []), snapshot]);
  for (const diskSnapshots of byDisk.values()) {
    const newestFirst = [...diskSnapshots].sort(
      (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id.localeCompare(a.id),
    );
    newestFirst.forEach((snapshot, index) => {
      const ageDays = (now.getTime() - Date.parse(snapshot.createdAt)) / DAY_MS;
      if (index < retention.minimumKept)
        return decision.keep.push({
          id: snapshot.id,
          because: `one of the newest ${retention.minimumKept} (minimum kept)`,
        });
      if (retention.keepLast !== undefined && index < retention.keepLast)
        return decision.keep.push({ id: snapshot.id, because: `one of the newest ${retention.keepLast}` });
      if (retention.keepDays !== undefined && ageDays < retention.keepDays)
        return decision.keep.push({ id: snapshot.id, because: `younger than ${retention.keepDays} days` });
      const rules = [
        retention.keepLast !== undefined ? `not among the newest ${retention.keepLast}` : '',
        retention.keepDays !== undefined ? `older than ${retention.keepDays} days` : '',
      ];
      return decision.delete.push({ id: snapshot.id, because: rules.filter(Boolean).join(' and ') });
    });
  }
  return decision;
}
