import type { Snapshot } from '@azure/arm-compute';
import { z } from 'zod';

import type { SnapshotReadiness } from './waitSnapshotsReady.contract.js';

/** What readiness is read from: the SDK's snapshot, or the resource an operation's answer carried. */
export type SnapshotState = Pick<Snapshot, 'id' | 'provisioningState' | 'completionPercent' | 'copyCompletionError'>;

/** A snapshot as ARM's JSON has it (`properties.output` of a Disk RP operation that Succeeded). */
const SnapshotJson = z.object({
  id: z.string().optional(),
  properties: z
    .object({
      provisioningState: z.string().optional(),
      completionPercent: z.number().optional(),
      copyCompletionError: z.object({ errorCode: z.string(), errorMessage: z.string() }).optional(),
    })
    .prefault({}),
});

/** The snapshot in an operation's output, or undefined when the answer carried none. */
export function snapshotFromOutput(output: unknown): SnapshotState | undefined {
  if (output === undefined) return undefined;
  const parsed = SnapshotJson.safeParse(output);
  if (!parsed.success) return undefined;
  const { id, properties } = parsed.data;
  return { ...(id ? { id } : {}), ...properties };
}

/**
 * Where a snapshot stands: ready once provisioning Succeeded and its background copy (if it reports one) is at 100;
 * snapshots without a background copy report no completionPercent, or 100 (reference §1.3).
 */
export function snapshotReadiness(id: string, snapshot: SnapshotState): SnapshotReadiness {
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
