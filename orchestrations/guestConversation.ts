import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import type { z } from 'zod';

import { notSentReason, sendGuestCommandContract } from '../activities/sendGuestCommand.contract.js';
import { replyEventName } from '../shared/guest/guestEvents.js';
import { type Reply, REPLY_BODIES, type ReplyType } from '../shared/protocol/index.js';
import { callActivity } from './callActivity.js';
import { retryPolicies } from './retryPolicies.js';

type Command = z.input<typeof sendGuestCommandContract.input>['command'];

export type GuestAnswer<T extends ReplyType> =
  | { kind: 'reply'; reply: Extract<Reply, { type: T }>; receivedAt: Date }
  | { kind: 'timeout'; waitedSeconds: number }
  | { kind: 'canceled' }
  | { kind: 'not-sent'; reason: string };

export interface Conversation {
  context: OrchestrationContext;
  runId: string;
  vmId: string;
  /** The operator's cancel, raced against every wait that may be abandoned (never the thaw). */
  cancel?: Task;
}

/**
 * Sends one command to the VM's agent and waits for one of the expected replies, raced against a durable timer (and
 * the cancel event when given): a silent guest never hangs the run. The command id comes from the replay-safe GUID,
 * so a retried send is the same message and the agent drops the duplicate.
 */
export function* askGuest<T extends ReplyType>(
  conversation: Conversation,
  command: Command,
  expect: readonly T[],
  timeoutSeconds: number,
): Generator<Task, GuestAnswer<T>, unknown> {
  const { context } = conversation;
  const sent = yield* callActivity(
    context,
    sendGuestCommandContract,
    {
      vmId: conversation.vmId,
      instanceId: context.df.instanceId,
      runId: conversation.runId,
      command,
      commandId: context.df.newGuid(`${context.df.instanceId}/${command.type}`),
      ttlSeconds: commandTtlSeconds(timeoutSeconds),
    },
    retryPolicies.storage,
  );
  if (!sent.sent) return { kind: 'not-sent', reason: notSentReason(sent, command.type) };

  return yield* awaitGuest(conversation, expect, timeoutSeconds);
}

/**
 * Waits for one of the expected replies to a command already on the agent's queue, raced against a durable timer (and
 * the cancel event when given). A reply that came before the wait began is buffered as an event, so it is not lost.
 */
export function* awaitGuest<T extends ReplyType>(
  conversation: Conversation,
  expect: readonly T[],
  timeoutSeconds: number,
): Generator<Task, GuestAnswer<T>, unknown> {
  const { context } = conversation;
  const replies = expect.map((type) => context.df.waitForExternalEvent(replyEventName(type)));
  const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + timeoutSeconds * 1000));
  const cancel = conversation.cancel;
  const winner = (yield context.df.Task.any([...replies, timer, ...(cancel ? [cancel] : [])])) as Task;
  if (winner === timer) return { kind: 'timeout', waitedSeconds: timeoutSeconds };
  cancelTimer(timer);
  if (winner === cancel) return { kind: 'canceled' };
  const reply = winner.result as Reply;
  const type = reply.type as T;
  const body: unknown = REPLY_BODIES[type].parse(reply.body);
  return {
    kind: 'reply',
    reply: { ...reply, type, body } as Extract<Reply, { type: T }>,
    receivedAt: context.df.currentUtcDateTime,
  };
}

/** A command outlives the wait for its answer, within the queue's limits for the protocol. */
export function commandTtlSeconds(timeoutSeconds: number): number {
  return Math.min(900, Math.max(30, timeoutSeconds));
}

export function cancelTimer(timer: TimerTask): void {
  if (!timer.isCompleted) timer.cancel();
}
