/** What a VM's backup achieved, best first. `not-running` snapshots a VM at rest; `skipped` and `canceled` take none. */
export const CONSISTENCY_LEVELS = [
  'application-consistent',
  'file-system-consistent',
  'crash-consistent',
  'failed',
  'not-running',
  'skipped',
  'canceled',
] as const;
export type Consistency = (typeof CONSISTENCY_LEVELS)[number];

/** Job statuses as Veeam and Azure Backup report them. */
export type RunStatus = 'Success' | 'Warning' | 'Failed' | 'Canceled';

/** The tag on each snapshot that says what consistency its VM's backup proved. */
export const CONSISTENCY_TAG = 'quiesce-consistency';
