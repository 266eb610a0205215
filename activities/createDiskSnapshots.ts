import type { ComputeManagementClient } from '@azure/arm-compute';
import type { z } from 'zod';

import { registerActivity } from '../shared/activity/registerActivity.js';
import { computeClient } from '../shared/clients/armClients.js';
import { describeArmError } from '../shared/errors/restErrors.js';
import {
  createDiskSnapshotsContract,
  type CreateDiskSnapshotsInput,
  type CreateDiskSnapshotsOutput,
  type DiskSnapshotResult,
} from './createDiskSnapshots.contract.js';
import { snapshotName } from './snapshotName.js';
import { snapshotReadiness } from './snapshotReadiness.js';

export async function createDiskSnapshots(
  input: z.output<typeof CreateDiskSnapshotsInput>,
  compute?: ComputeManagementClient,
): Promise<CreateDiskSnapshotsOutput> {
  const client = compute ?? computeClient(input.vm.subscriptionId);
  const startedAt = new Date().toISOString();
  const deadline = AbortSignal.timeout(input.deadlineMs);
  const results = await Promise.all(input.disks.map((disk) => snapshotDisk(client, input, disk, deadline)));
  return { results, startedAt, endedAt: new Date().toISOString() };
}

async function snapshotDisk(
  client: ComputeManagementClient,
  input: z.output<typeof CreateDiskSnapshotsInput>,
  disk: { id: string; name: string },
  deadline: AbortSignal,
): Promise<DiskSnapshotResult> {
  const name = snapshotName(input.runId, input.vm.name, disk.id, disk.name);
  const base = { disk: disk.name, diskId: disk.id, snapshotName: name, acceptedAt: new Date().toISOString() };
  try {
    const poller = await client.snapshots.beginCreateOrUpdate(
      input.vm.resourceGroup,
      name,
      {
        location: input.vm.location,
        incremental: input.incremental,
        creationData: { createOption: 'Copy', sourceResourceId: disk.id },
        tags: {
          ...input.tags,
          'quiesce-managed': 'true',
          'quiesce-run': input.runId,
          'quiesce-vm': input.vm.name,
          'quiesce-disk': disk.name,
          ...(input.policy ? { 'quiesce-policy': input.policy } : {}),
        },
      },
      { updateIntervalInMs: input.pollIntervalMs, abortSignal: deadline },
    );
    const snapshot = await poller.pollUntilDone({ abortSignal: deadline });
    if (snapshot.provisioningState !== 'Succeeded') {
      return {
        ...base,
        ok: false,
        snapshotId: snapshot.id,
        error: `provisioningState ${snapshot.provisioningState ?? 'unknown'}`,
      };
    }
    return {
      ...base,
      ok: true,
      ...(snapshot.id ? { snapshotId: snapshot.id } : {}),
      succeededAt: new Date().toISOString(),
      copied: snapshotReadiness(snapshot.id ?? name, snapshot).state === 'ready',
    };
  } catch (error: unknown) {
    const why = deadline.aborted
      ? `the snapshot operation did not succeed within ${input.deadlineMs} ms`
      : describeArmError(error);
    return { ...base, ok: false, error: why };
  }
}

registerActivity(createDiskSnapshotsContract, (input) => createDiskSnapshots(input));
