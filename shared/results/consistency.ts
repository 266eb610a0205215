/** What a VM's backup achieved, best first. `not-running` and `skipped` are outcomes without snapshots. */
export const CONSISTENCY_LEVELS = [
  'application-consistent',
  'file-system-consistent',
  'crash-consistent',
  'failed',
  'not-running',
  'skipped',
] as const;
export type Consistency = (typeof CONSISTENCY_LEVELS)[number];

/** Job statuses as Veeam and Azure Backup report them. */
export type RunStatus = 'Success' | 'Warning' | 'Failed' | 'Canceled';
