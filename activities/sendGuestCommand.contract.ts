import { z } from 'zod';

import { defineActivity } from '../shared/activity/ActivityContract.js';
import { FreezeBody, PingBody, ThawBody } from '../shared/protocol/index.js';

export const GuestCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping'), body: PingBody }),
  z.object({ type: z.literal('freeze'), body: FreezeBody }),
  z.object({ type: z.literal('thaw'), body: ThawBody }),
]);

export const SendGuestCommandInput = z.object({
  vmId: z.string().min(1),
  instanceId: z.string().min(1),
  runId: z.string().min(1),
  command: GuestCommand,
  /** The envelope id; the same id on a retried send makes the agent drop the duplicate (replay protection). */
  commandId: z.string().min(8).max(64).optional(),
  ttlSeconds: z.number().int().min(5).max(900).default(120),
});

export const SendGuestCommandOutput = z.union([
  z.object({
    sent: z.literal(true),
    messageId: z.string(),
    queue: z.string(),
    sentAt: z.string(),
    wireBytes: z.number().int(),
  }),
  z.object({ sent: z.literal(false), reason: z.literal('oversized'), wireBytes: z.number().int() }),
  /** The VM's command queue does not exist: its agent has never started (agents create their own queue). */
  z.object({ sent: z.literal(false), reason: z.literal('no-queue'), queue: z.string() }),
]);
export type SendGuestCommandOutput = z.infer<typeof SendGuestCommandOutput>;

/** Why a command did not go on the agent's queue, as a sentence for the evidence. */
export function notSentReason(
  sent: Extract<SendGuestCommandOutput, { sent: false }>,
  commandType: z.output<typeof GuestCommand>['type'],
): string {
  return sent.reason === 'no-queue'
    ? `the agent's command queue ${sent.queue} does not exist (the agent has never started on this VM)`
    : `the ${commandType} command is too large (${sent.wireBytes} bytes)`;
}

/** Signs a command with the service's key and puts it on the VM's command queue. Too big for a queue: a value. */
export const sendGuestCommandContract = defineActivity(
  'sendGuestCommand',
  SendGuestCommandInput,
  SendGuestCommandOutput,
);
