import { setTimeout as sleep } from 'node:timers/promises';

import type { ComputeManagementClient } from '@azure/arm-compute';
import type { z } from 'zod';

import { registerActivity } from '../shared/activity/registerActivity.js';
import { oneAtATime } from '../shared/async/oneAtATime.js';
import { computeClient } from '../shared/clients/armClients.js';
import { armReadBudget } from '../shared/clients/armReadBudget.js';
import { describeArmError } from '../shared/errors/restErrors.js';
import {
  createDiskSnapshotsContract,
  type CreateDiskSnapshotsInput,
  type CreateDiskSnapshotsOutput,
  type DiskSnapshotResult,
} from './createDiskSnapshots.contract.js';
import { snapshotName } from './snapshotName.js';
import { snapshotReadiness } from './snapshotReadiness.js';

/** One poll of one operation, sent when it is the VM's turn. */
type TakeTurn = (poll: () => Promise<unknown>) => Promise<void>;

/**
 * Every disk's PUT at once, then their operations polled in turns: one poll of the VM in flight at a time, round the
 * disks still running, so the last disk (the one the guest waits for) is soon polled alone at the fast interval, and a
 * wave of VMs costs ARM a third of the reads. A poll that hangs holds the VM's other disks up to the deadline; one disk
 * that fails fails the VM anyway.
 */
export async function createDiskSnapshots(
  input: z.output<typeof CreateDiskSnapshotsInput>,
  compute?: ComputeManagementClient,
): Promise<CreateDiskSnapshotsOutput> {
  const client = compute ?? computeClient(input.vm.subscriptionId);
  const startedAt = new Date().toISOString();
  const deadline = AbortSignal.timeout(input.deadlineMs);
  const budget = armReadBudget(input.vm.subscriptionId).join();
  const inTurn = oneAtATime();
  const takeTurn: TakeTurn = (poll) =>
    inTurn(async () => {
      // The input's interval (fast only while the guest is frozen), stretched by the read budget as ARM's bucket runs low.
      await sleep(budget.nextDelayMs(input.pollIntervalMs), undefined, { signal: deadline });
      await poll();
    });
  try {
    const results = await Promise.all(input.disks.map((disk) => snapshotDisk(client, input, disk, deadline, takeTurn)));
    return { results, startedAt, endedAt: new Date().toISOString() };
  } finally {
    budget.leave();
  }
}

async function snapshotDisk(
  client: ComputeManagementClient,
  input: z.output<typeof CreateDiskSnapshotsInput>,
  disk: { id: string; name: string },
  deadline: AbortSignal,
  takeTurn: TakeTurn,
): Promise<DiskSnapshotResult> {
  const name = snapshotName(input.runId, input.vm.name, disk.id, disk.name);
  const base = { disk: disk.name, diskId: disk.id, snapshotName: name, acceptedAt: new Date().toISOString() };
  try {
    const poller = client.snapshots.createOrUpdate(
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
      { abortSignal: deadline },
    );
    await poller.submitted();
    while (!poller.isDone) await takeTurn(() => poller.poll({ abortSignal: deadline }));
    const snapshot = await poller.pollUntilDone(); // done: its result (or its error) without another request
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
