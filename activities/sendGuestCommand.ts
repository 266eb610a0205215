import type { KeyObject } from 'node:crypto';

import type { QueueClient } from '@azure/storage-queue';
import type { z } from 'zod';

import { registerActivity } from '../shared/activity/registerActivity.js';
import { statusCodeOf } from '../shared/errors/restErrors.js';
import { commandQueueFor, loadServiceKey } from '../shared/guest/commandQueues.js';
import { sealCommand } from '../shared/protocol/index.js';
import {
  sendGuestCommandContract,
  type SendGuestCommandInput,
  type SendGuestCommandOutput,
} from './sendGuestCommand.contract.js';

export interface SendGuestCommandDeps {
  serviceKey: KeyObject;
  queueFor(vmId: string): QueueClient;
}

export async function sendGuestCommand(
  input: z.output<typeof SendGuestCommandInput>,
  deps?: SendGuestCommandDeps,
): Promise<SendGuestCommandOutput> {
  const serviceKey = deps?.serviceKey ?? (await loadServiceKey());
  const { type, body } = input.command;
  const sealed = sealCommand(
    {
      type,
      body,
      vmId: input.vmId,
      instanceId: input.instanceId,
      runId: input.runId,
      ttlMs: input.ttlSeconds * 1000,
      ...(input.commandId ? { id: input.commandId } : {}),
    },
    serviceKey,
  );
  if (!sealed.ok) return { sent: false, reason: 'oversized', wireBytes: sealed.wireBytes };
  const queue = deps?.queueFor(input.vmId) ?? commandQueueFor(input.vmId);
  try {
    await queue.sendMessage(sealed.wire);
  } catch (error: unknown) {
    if (statusCodeOf(error) === 404) return { sent: false, reason: 'no-queue', queue: queue.name };
    throw error;
  }
  return {
    sent: true,
    messageId: sealed.message.id,
    queue: queue.name,
    sentAt: new Date().toISOString(),
    wireBytes: Buffer.byteLength(sealed.wire),
  };
}

registerActivity(sendGuestCommandContract, (input) => sendGuestCommand(input));
