import type { ComputeManagementClient } from '@azure/arm-compute';
import { isRestError } from '@azure/core-rest-pipeline';

import { registerActivity } from '../shared/activity/registerActivity.js';
import { parseSnapshotId } from '../shared/arm/resourceId.js';
import { mapWithConcurrency } from '../shared/async/mapWithConcurrency.js';
import { computeClient } from '../shared/clients/armClients.js';
import { BACKGROUND_LRO_POLL_INTERVAL_MS } from '../shared/clients/lroPolling.js';
import { describeArmError, isTransient } from '../shared/errors/restErrors.js';
import { tagSnapshotsContract, type TagSnapshotsOutput } from './tagSnapshots.contract.js';

/** PATCHes in flight at once (each is a write and an LRO). */
export const TAG_UPDATES_IN_FLIGHT = 4;

/** A snapshot tagged (no error), refused (error), or not answered (transientError, rethrown). */
interface TagOutcome {
  id: string;
  error?: string;
  transientError?: unknown;
}

export async function tagSnapshots(
  input: { subscriptionId: string; snapshotIds: string[]; tags: Record<string, string> },
  compute?: ComputeManagementClient,
): Promise<TagSnapshotsOutput> {
  const client = compute ?? computeClient(input.subscriptionId);
  const outcomes = await mapWithConcurrency(input.snapshotIds, TAG_UPDATES_IN_FLIGHT, (id) =>
    tagSnapshot(client, id, input.tags),
  );
  // Every snapshot had its try first; a retry of the whole activity redoes nothing already tagged.
  const transient = outcomes.find((o) => o.transientError !== undefined);
  if (transient) throw transient.transientError;
  return {
    tagged: outcomes.filter((o) => o.error === undefined).map((o) => o.id),
    failed: outcomes.flatMap((o) => (o.error === undefined ? [] : [{ id: o.id, error: o.error }])),
  };
}

/** ARM's PATCH replaces the tags as a whole, so the snapshot's own tags are read and sent back with ours. */
async function tagSnapshot(
  client: ComputeManagementClient,
  id: string,
  tags: Record<string, string>,
): Promise<TagOutcome> {
  const ref = parseSnapshotId(id);
  try {
    const snapshot = await client.snapshots.get(ref.resourceGroup, ref.name);
    const current = snapshot.tags ?? {};
    if (Object.entries(tags).every(([key, value]) => current[key] === value)) return { id };
    await client.snapshots.beginUpdateAndWait(
      ref.resourceGroup,
      ref.name,
      { tags: { ...current, ...tags } },
      { updateIntervalInMs: BACKGROUND_LRO_POLL_INTERVAL_MS },
    );
    return { id };
  } catch (error: unknown) {
    // A failed operation (not a RestError) is an answer about this snapshot; no answer at all is transient.
    if (isRestError(error) && isTransient(error)) return { id, error: describeArmError(error), transientError: error };
    return { id, error: describeArmError(error) };
  }
}

registerActivity(tagSnapshotsContract, (input) => tagSnapshots(input));
