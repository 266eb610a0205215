import { randomUUID } from 'node:crypto';

import type { DequeuedMessageItem } from '@azure/storage-queue';

import type { RpcTypedData } from '../core/coreTypes.js';

/** Trigger metadata as the queue extension sends it (PascalCase on the wire; the library camelCases it). */
export function queueTriggerMetadata(
  functionName: string,
  message: DequeuedMessageItem,
  text: string,
): Record<string, RpcTypedData> {
  const json = (value: unknown): RpcTypedData => ({ json: JSON.stringify(value) });
  return {
    QueueTrigger: { string: text },
    DequeueCount: json(message.dequeueCount),
    Id: { string: message.messageId },
    PopReceipt: { string: message.popReceipt },
    InsertionTime: json(message.insertedOn.toISOString()),
    ExpirationTime: json(message.expiresOn.toISOString()),
    NextVisibleTime: json(message.nextVisibleOn.toISOString()),
    sys: json({ MethodName: functionName, UtcNow: new Date().toISOString(), RandGuid: randomUUID() }),
  };
}
