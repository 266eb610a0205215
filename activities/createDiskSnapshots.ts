import { setTimeout as sleep } from 'node:timers/promises';

import type { ComputeManagementClient } from '@azure/arm-compute';
import type { z } from 'zod';

import { registerActivity } from '../shared/activity/registerActivity.js';
import { oneAtATime } from '../shared/async/oneAtATime.js';
import { computeClient } from '../shared/clients/armClients.js';
import { armReadBudget } from '../shared/clients/armReadBudget.js';
import { describeArmError } from '../shared/errors/restErrors.js';
import { type AsyncOperation, isTerminal, readAsyncOperation } from './armAsyncOperation.js';
import {
  createDiskSnapshotsContract,
  type CreateDiskSnapshotsInput,
  type CreateDiskSnapshotsOutput,
  type DiskSnapshotResult,
  type ThawSent,
} from './createDiskSnapshots.contract.js';
import { notSentReason, type SendGuestCommandInput, type SendGuestCommandOutput } from './sendGuestCommand.contract.js';
import { sendGuestCommand } from './sendGuestCommand.js';
import { snapshotName } from './snapshotName.js';
import { snapshotFromOutput, snapshotReadiness, type SnapshotState } from './snapshotReadiness.js';

/** One poll of one operation, sent when it is the VM's turn. */
type TakeTurn = <T>(poll: () => Promise<T>) => Promise<T>;

/** Where a disk's operation ended: its outcome, and the snapshot when ARM's answer carried it. */
interface SettledDisk {
  base: Omit<DiskSnapshotResult, 'ok'>;
  outcome: { ok: true; succeededAt: string; snapshot: SnapshotState | undefined } | { ok: false; error: string };
}

type SendCommand = (input: z.output<typeof SendGuestCommandInput>) => Promise<SendGuestCommandOutput>;

/**
 * No poll before this long after ARM accepted the PUT: recorded Disk RP snapshot operations start 0.5-1.5 s after the
 * 202 and run 0.19-0.77 s (reference §1), so earlier polls only spend ARM's reads and the shared host's CPU.
 */
const FIRST_POLL_AFTER_MS = 400;

/** Polls of the last running disk's operation that may be out at once (each waits ARM's read latency, 20-80 ms). */
const MAX_POLLS_IN_FLIGHT_ALONE = 2;

/** The header of a 202 that names the operation to watch (ARM's async operation protocol). */
const ASYNC_OPERATION_HEADER = 'azure-asyncoperation';

/**
 * Every disk's PUT at once, then their operations polled in turns: one poll of the VM in flight at a time, round the
 * disks still running, each about every interval plus a round trip per disk still running. So the last disk (the one
 * the guest waits for) is soon polled alone, and a wave of VMs asks ARM for about half the reads. Alone, the last disk
 * is polled every interval without waiting for the answer before (two at most out at once): ARM's read latency no
 * longer adds to the interval, which halves how long a Succeeded goes unseen. A poll that hangs holds the VM's other
 * disks up to the deadline; one disk that fails fails the VM anyway.
 *
 * When the input carries a thaw, it goes on the agent's queue the moment the last operation settled, before anything
 * else: the one exception to "one side effect per activity", because the result's trip back through the orchestrator
 * and a second activity would sit inside the freeze window. The orchestrator still owns the thaw: it sends its own
 * whenever this one was not sent.
 */
export async function createDiskSnapshots(
  input: z.output<typeof CreateDiskSnapshotsInput>,
  compute?: ComputeManagementClient,
  sendCommand: SendCommand = sendGuestCommand,
): Promise<CreateDiskSnapshotsOutput> {
  const client = compute ?? computeClient(input.vm.subscriptionId);
  const startedAt = new Date().toISOString();
  const deadline = AbortSignal.timeout(input.deadlineMs);
  const budget = armReadBudget(input.vm.subscriptionId).join();
  const inTurn = oneAtATime();
  let running = input.disks.length;
  const takeTurn: TakeTurn = (poll) =>
    inTurn(async () => {
      // Each operation about every input interval (fast only while the guest is frozen), stretched by the read budget
      // as ARM's bucket runs low.
      await sleep(budget.nextDelayMs(input.pollIntervalMs / Math.max(1, running)), undefined, { signal: deadline });
      return poll();
    });
  const polling: OperationPolling = {
    takeTurn,
    alone: () => running === 1,
    nextDelayMs: () => budget.nextDelayMs(input.pollIntervalMs),
    deadline,
  };
  const settleOne = (disk: { id: string; name: string }) =>
    settleDisk(client, input, disk, polling).finally(() => running--);
  let settled: SettledDisk[];
  try {
    settled = await Promise.all(input.disks.map(settleOne));
  } finally {
    budget.leave();
  }
  const thaw = input.thaw ? await sendThaw(input, input.thaw, sendCommand) : undefined;
  const results = await Promise.all(settled.map((disk) => describeResult(client, input, disk)));
  return { results, startedAt, endedAt: new Date().toISOString(), ...(thaw ? { thaw } : {}) };
}

/** How a VM's operations are polled: in turns while several run, on a schedule of its own for the last one. */
interface OperationPolling {
  takeTurn: TakeTurn;
  alone: () => boolean;
  nextDelayMs: () => number;
  deadline: AbortSignal;
}

async function settleDisk(
  client: ComputeManagementClient,
  input: z.output<typeof CreateDiskSnapshotsInput>,
  disk: { id: string; name: string },
  { takeTurn, deadline, ...polling }: OperationPolling,
): Promise<SettledDisk> {
  const name = snapshotName(input.runId, input.vm.name, disk.id, disk.name);
  const base = { disk: disk.name, diskId: disk.id, snapshotName: name, acceptedAt: new Date().toISOString() };
  let operationUrl: string | undefined;
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
      {
        abortSignal: deadline,
        onResponse: (response) => {
          operationUrl ??= response.headers.get(ASYNC_OPERATION_HEADER);
        },
      },
    );
    await poller.submitted();
    if (operationUrl === undefined) {
      // No async operation to watch (the snapshot existed already, or an RP answering with Location only): the
      // SDK's poller, in turns like the rest.
      while (!poller.isDone) await takeTurn(() => poller.poll({ abortSignal: deadline }));
      const snapshot = await poller.pollUntilDone();
      return settledFrom(base, snapshot.provisioningState, snapshot);
    }
    const url = operationUrl;
    await sleep(FIRST_POLL_AFTER_MS, undefined, { signal: deadline });
    const read = () => readAsyncOperation(client.pipeline, url, deadline);
    let operation: AsyncOperation | undefined;
    while (operation === undefined) {
      if (polling.alone()) operation = await pollAlone(read, polling.nextDelayMs, deadline);
      else {
        const seen = await takeTurn(read);
        if (isTerminal(seen)) operation = seen;
      }
    }
    if (!/^succeeded$/i.test(operation.status)) {
      const why = operation.error ? `${operation.error.code ?? 'Error'}: ${operation.error.message ?? ''}` : '';
      return { base, outcome: { ok: false, error: `operation ${operation.status}${why ? ` (${why})` : ''}` } };
    }
    return {
      base,
      outcome: {
        ok: true,
        succeededAt: new Date().toISOString(),
        snapshot: snapshotFromOutput(operation.properties?.output),
      },
    };
  } catch (error: unknown) {
    const why = deadline.aborted
      ? `the snapshot operation did not succeed within ${input.deadlineMs} ms`
      : describeArmError(error);
    return { base, outcome: { ok: false, error: why } };
  }
}

/**
 * Polls one operation every `nextDelayMs()` from the start of one poll to the start of the next, with at most
 * MAX_POLLS_IN_FLIGHT_ALONE out at once, until one answer is terminal (answers may come back out of order; a terminal
 * state is final) or a poll fails. The first poll goes out after one delay: the disk's last poll has just answered.
 */
async function pollAlone(
  read: () => Promise<AsyncOperation>,
  nextDelayMs: () => number,
  deadline: AbortSignal,
): Promise<AsyncOperation> {
  const stop = new AbortController();
  const signal = AbortSignal.any([deadline, stop.signal]);
  type Settled = { ok: true; operation: AsyncOperation } | { ok: false; error: unknown };
  const settled = await new Promise<Settled>((resolve) => {
    let inFlight = 0;
    const settle = (outcome: Settled) => {
      if (stop.signal.aborted) return;
      stop.abort();
      resolve(outcome);
    };
    const schedule = async () => {
      while (!signal.aborted) {
        await sleep(nextDelayMs(), undefined, { signal });
        if (inFlight >= MAX_POLLS_IN_FLIGHT_ALONE) continue;
        inFlight++;
        read().then(
          (operation) => {
            inFlight--;
            if (isTerminal(operation)) settle({ ok: true, operation });
          },
          (error: unknown) => settle({ ok: false, error }),
        );
      }
    };
    schedule().catch((error: unknown) => settle({ ok: false, error }));
  });
  if (!settled.ok) throw settled.error;
  return settled.operation;
}

function settledFrom(
  base: SettledDisk['base'],
  provisioningState: string | undefined,
  snapshot: SnapshotState,
): SettledDisk {
  if (provisioningState !== 'Succeeded')
    return { base, outcome: { ok: false, error: `provisioningState ${provisioningState ?? 'unknown'}` } };
  return { base, outcome: { ok: true, succeededAt: new Date().toISOString(), snapshot } };
}

/** After the thaw: the snapshot's id and copy state, from the operation's output or else one GET. */
async function describeResult(
  client: ComputeManagementClient,
  input: z.output<typeof CreateDiskSnapshotsInput>,
  { base, outcome }: SettledDisk,
): Promise<DiskSnapshotResult> {
  if (!outcome.ok) return { ...base, ok: false, error: outcome.error };
  let snapshot = outcome.snapshot;
  if (!snapshot) {
    try {
      snapshot = await client.snapshots.get(input.vm.resourceGroup, base.snapshotName);
    } catch {
      snapshot = undefined; // the operation Succeeded; waitSnapshotsReady looks again
    }
  }
  return {
    ...base,
    ok: true,
    ...(snapshot?.id ? { snapshotId: snapshot.id } : {}),
    succeededAt: outcome.succeededAt,
    copied: snapshot !== undefined && snapshotReadiness(snapshot.id ?? base.snapshotName, snapshot).state === 'ready',
  };
}

/** The thaw on the agent's queue; a failure to send it is reported, and the orchestrator then sends its own. */
async function sendThaw(
  input: z.output<typeof CreateDiskSnapshotsInput>,
  thaw: NonNullable<z.output<typeof CreateDiskSnapshotsInput>['thaw']>,
  sendCommand: SendCommand,
): Promise<ThawSent> {
  try {
    const sent = await sendCommand({ ...thaw, runId: input.runId, command: { type: 'thaw', body: {} } });
    return sent.sent
      ? { sent: true, messageId: sent.messageId, sentAt: sent.sentAt }
      : { sent: false, reason: notSentReason(sent, 'thaw') };
  } catch (error: unknown) {
    return { sent: false, reason: describeArmError(error) };
  }
}

registerActivity(createDiskSnapshotsContract, (input) => createDiskSnapshots(input));
