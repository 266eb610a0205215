import type { Snapshot } from '@azure/arm-compute';

import type { SnapshotReadiness } from './waitSnapshotsReady.contract.js';

/**
 * Where a snapshot stands: ready once provisioning Succeeded and its background copy (if it reports one) is at 100;
 * snapshots without a background copy report no completionPercent, or 100 (reference §1.3).
 */
export function snapshotReadiness(id: string, snapshot: Snapshot): SnapshotReadiness {
  const percent = snapshot.completionPercent;
  const progress = percent === undefined ? {} : { completionPercent: percent };
  const copyError = snapshot.copyCompletionError;
  if (copyError)
    return {
      id,
      state: 'failed',
      ...progress,
      error: `background copy failed: ${copyError.errorCode}: ${copyError.errorMessage}`,
    };
  const provisioning = snapshot.provisioningState ?? 'unknown';
  if (/^(failed|canceled)$/i.test(provisioning))
    return { id, state: 'failed', ...progress, error: `provisioningState ${provisioning}` };
  if (provisioning === 'Succeeded' && (percent === undefined || percent >= 100))
    return { id, state: 'ready', ...progress };
  return { id, state: 'copying', ...progress };
}
