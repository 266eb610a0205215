import type { ComputeManagementClient, Snapshot } from '@azure/arm-compute';

import { registerActivity } from '../shared/activity/registerActivity.js';
import { parseSnapshotId } from '../shared/arm/resourceId.js';
import { mapWithConcurrency } from '../shared/async/mapWithConcurrency.js';
import { computeClient } from '../shared/clients/armClients.js';
import { BACKGROUND_LRO_POLL_INTERVAL_MS } from '../shared/clients/lroPolling.js';
import { describeArmError, isNotFound } from '../shared/errors/restErrors.js';
import { planRetention } from '../shared/retention/planRetention.js';
import {
  applyRetentionContract,
  type ApplyRetentionInput,
  type ApplyRetentionOutput,
} from './applyRetention.contract.js';
import { policySnapshots } from './policySnapshots.js';

/** Deletes in flight at once: each is a write LRO, and the delete bucket is shared with everything else. */
export const DELETES_IN_FLIGHT = 4;

export async function applyRetention(
  input: ApplyRetentionInput,
  compute?: ComputeManagementClient,
): Promise<ApplyRetentionOutput> {
  const client = compute ?? computeClient(input.vm.subscriptionId);
  const { ours, ignored } = policySnapshots(
    await listSnapshots(client, input.vm.resourceGroup),
    input.policy,
    input.diskIds,
  );
  const plan = planRetention(ours, input.retention, input.now ? new Date(input.now) : new Date());
  if (input.dryRun) return { dryRun: true, kept: plan.keep, deleted: plan.delete, failed: [], ignored };
  const errors = await mapWithConcurrency(plan.delete, DELETES_IN_FLIGHT, ({ id }) => deleteSnapshot(client, id));
  return {
    dryRun: false,
    kept: plan.keep,
    deleted: plan.delete.filter((_, index) => errors[index] === undefined),
    failed: plan.delete.flatMap(({ id }, index) => {
      const error = errors[index];
      return error === undefined ? [] : [{ id, error }];
    }),
    ignored,
  };
}

async function listSnapshots(client: ComputeManagementClient, resourceGroup: string): Promise<Snapshot[]> {
  const snapshots: Snapshot[] = [];
  try {
    for await (const snapshot of client.snapshots.listByResourceGroup(resourceGroup)) snapshots.push(snapshot);
  } catch (error: unknown) {
    // The resource group is gone, and its snapshots with it: nothing to retain.
    if (isNotFound(error)) return [];
    throw error;
  }
  return snapshots;
}

/** Resolves the reason a deletion failed, or undefined once the snapshot is gone (already gone counts). */
async function deleteSnapshot(client: ComputeManagementClient, id: string): Promise<string | undefined> {
  const ref = parseSnapshotId(id);
  try {
    await client.snapshots.beginDeleteAndWait(ref.resourceGroup, ref.name, {
      updateIntervalInMs: BACKGROUND_LRO_POLL_INTERVAL_MS,
    });
    return undefined;
  } catch (error: unknown) {
    return isNotFound(error) ? undefined : describeArmError(error);
  }
}

registerActivity(applyRetentionContract, (input) => applyRetention(input));
