import type { KeyObject } from 'node:crypto';

import type { InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';

import type { AgentRegistry } from '../agents/AgentRegistry.js';
import { VmResourceId } from '../arm/resourceId.js';
import {
  claimedIds,
  decodeEnvelope,
  openDeliveredReply,
  type RejectionReason,
  type ReplayGuard,
  type Reply,
} from '../protocol/index.js';
import { backupVmInstanceId } from '../runs/instanceIds.js';
import { type GuestReplyEvent, replyEventName } from './guestEvents.js';

export interface GuestReplyDeps {
  registry: Pick<AgentRegistry, 'publicKeyFor' | 'recordPong'>;
  client: Pick<DurableClient, 'raiseEvent'>;
  /** Process-wide: a reply is acted on once, however often the queue delivers it. */
  replayGuard: ReplayGuard;
  log: Pick<InvocationContext, 'info' | 'warn'>;
  now?: () => Date;
}

/** Why a reply was dropped: the protocol's reasons, a reply naming another instance, or an instance that is gone. */
export type DropReason = RejectionReason | 'wrong-instance' | 'instance-not-found';

export type Delivery =
  | { delivered: true; instanceId: string; eventName: string; messageId: string }
  | { delivered: false; reason: DropReason };

/**
 * Verifies one message from the reply queue with the key its VM's agent enrolled, and raises it as an external event
 * on the backupVm instance it answers. Bad input is dropped with one warning naming the reason and the claimed ids;
 * only a failure worth retrying (table or durable client unreachable) throws, so the host retries the message.
 */
export async function deliverGuestReply(message: unknown, deps: GuestReplyDeps): Promise<Delivery> {
  const now = deps.now?.() ?? new Date();
  const drop = (reason: DropReason, detail: string, claimed: object): Delivery => {
    deps.log.warn(`Dropped guest reply (${reason}): ${detail} ${JSON.stringify(claimed)}`);
    return { delivered: false, reason };
  };

  const decoded = decodeEnvelope(message);
  if (!decoded.ok) return drop(decoded.reason, decoded.detail, {});
  const claimed = claimedIds(decoded.value);
  const open = (key: KeyObject | undefined) =>
    openDeliveredReply(decoded.value, { publicKeyFor: () => key, replayGuard: deps.replayGuard, now });

  // Only a well-formed VM id is looked up, so junk never reaches the table as a key.
  const vmId = VmResourceId.safeParse(claimed.vmId).data;
  const key = vmId === undefined ? undefined : await deps.registry.publicKeyFor(vmId);
  let opened = open(key);
  if (!opened.ok && opened.reason === 'bad-signature' && vmId !== undefined) {
    const current = await deps.registry.publicKeyFor(vmId, { fresh: true });
    if (current && key && !current.equals(key)) opened = open(current);
  }
  if (!opened.ok) return drop(opened.reason, opened.detail, claimed);

  const reply = opened.message;
  const expectedInstanceId = instanceOf(reply);
  if (reply.instanceId !== expectedInstanceId)
    return drop('wrong-instance', `run ${reply.runId} of this VM is instance ${expectedInstanceId}`, claimed);

  const eventName = replyEventName(reply.type);
  try {
    if (reply.type === 'pong') await deps.registry.recordPong(reply.vmId, reply.body, now);
    await deps.client.raiseEvent(reply.instanceId, eventName, reply satisfies GuestReplyEvent);
  } catch (error: unknown) {
    if (isMissingInstance(error)) return drop('instance-not-found', 'no such orchestration instance', claimed);
    deps.replayGuard.forget(reply.id);
    throw error;
  }
  deps.log.info(`Raised guest reply ${eventName} on ${reply.instanceId} ${JSON.stringify(claimed)}`);
  return { delivered: true, instanceId: reply.instanceId, eventName, messageId: reply.id };
}

function instanceOf(reply: Reply): string | undefined {
  try {
    return backupVmInstanceId(reply.runId, reply.vmId);
  } catch {
    return undefined; // a VM id that is not a VM resource id names no backupVm instance
  }
}

/** durable-functions' raiseEvent rejects a 404 with this sentence (and resolves a 410: the instance has finished). */
function isMissingInstance(error: unknown): boolean {
  return error instanceof Error && /^No instance with ID '.*' found\.$/s.test(error.message);
}
