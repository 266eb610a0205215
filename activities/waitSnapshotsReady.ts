import type { ComputeManagementClient } from '@azure/arm-compute';

import { registerActivity } from '../shared/activity/registerActivity.js';
import { parseSnapshotId } from '../shared/arm/resourceId.js';
import { mapWithConcurrency } from '../shared/async/mapWithConcurrency.js';
import { computeClient } from '../shared/clients/armClients.js';
import { describeArmError, isNotFound, isTransient } from '../shared/errors/restErrors.js';
import { snapshotReadiness } from './snapshotReadiness.js';
import {
  type SnapshotReadiness,
  waitSnapshotsReadyContract,
  type WaitSnapshotsReadyOutput,
} from './waitSnapshotsReady.contract.js';

/** GETs in flight at once: a VM has up to 65 disks, and reads are cheap (250 + 25/s per principal). */
export const SNAPSHOT_READS_IN_FLIGHT = 8;

export async function waitSnapshotsReady(
  input: { subscriptionId: string; snapshotIds: string[] },
  compute?: ComputeManagementClient,
): Promise<WaitSnapshotsReadyOutput> {
  const client = compute ?? computeClient(input.subscriptionId);
  const snapshots = await mapWithConcurrency(input.snapshotIds, SNAPSHOT_READS_IN_FLIGHT, (id) =>
    checkSnapshot(client, id),
  );
  return { ready: snapshots.every((s) => s.state === 'ready'), snapshots };
}

async function checkSnapshot(client: ComputeManagementClient, id: string): Promise<SnapshotReadiness> {
  const ref = parseSnapshotId(id);
  try {
    return snapshotReadiness(id, await client.snapshots.get(ref.resourceGroup, ref.name));
  } catch (error: unknown) {
    if (isNotFound(error)) return { id, state: 'missing', error: describeArmError(error) };
    // Throttling and server errors go to the orchestrator's retry policy; a refusal (403, 400) will not heal.
    if (isTransient(error)) throw error;
    return { id, state: 'failed', error: `the snapshot could not be read: ${describeArmError(error)}` };
  }
}

registerActivity(waitSnapshotsReadyContract, (input) => waitSnapshotsReady(input));
