import type { QueueClient } from '@azure/storage-queue';

import { resolveSettingExpressions } from '../app/appSettings.js';
import type { RpcBindingInfo, RpcTypedData } from '../core/coreTypes.js';
import type { StorageClients } from '../storage/StorageClients.js';
import { encodeQueueMessage, type MessageEncoding } from './messageEncoding.js';
import { assertValidQueueName } from './queueName.js';
import type { QueueWatcher } from './QueueWatcher.js';

/**
 * The storage queue output binding: a string is sent as is, an object as JSON, an array as one message per element,
 * bytes as binary; the queue is created on first use; a listener on the same queue is woken at once.
 */
export class QueueOutput {
  readonly #clients: StorageClients;
  readonly #watcher: QueueWatcher;
  readonly #encoding: MessageEncoding;
  readonly #ready = new Map<string, Promise<QueueClient>>();

  constructor(clients: StorageClients, watcher: QueueWatcher, encoding: MessageEncoding) {
    this.#clients = clients;
    this.#watcher = watcher;
    this.#encoding = encoding;
  }

  async send(binding: RpcBindingInfo, data: RpcTypedData): Promise<void> {
    if (typeof binding.queueName !== 'string') throw new Error('A queue output binding needs a queueName.');
    const queueName = resolveSettingExpressions(binding.queueName);
    assertValidQueueName(queueName);
    const queue = await this.#queue(queueName, binding.connection as string | undefined);
    for (const message of toMessages(data)) {
      await queue.sendMessage(encodeQueueMessage(message, this.#encoding));
    }
    this.#watcher.notify(queueName);
  }

  #queue(queueName: string, connection: string | undefined): Promise<QueueClient> {
    const key = `${connection ?? ''}/${queueName}`;
    let ready = this.#ready.get(key);
    if (!ready) {
      const client = this.#clients.queueService(connection).getQueueClient(queueName);
      ready = client.createIfNotExists().then(() => client);
      ready.catch(() => this.#ready.delete(key));
      this.#ready.set(key, ready);
    }
    return ready;
  }
}

function toMessages(data: RpcTypedData): (string | Uint8Array)[] {
  if (data.string != null) return [data.string];
  if (data.bytes != null) return [data.bytes];
  if (data.int != null) return [String(data.int)];
  if (data.double != null) return [String(data.double)];
  if (data.collectionString?.string) return data.collectionString.string;
  if (data.collectionBytes?.bytes) return data.collectionBytes.bytes;
  if (data.json != null) {
    const value: unknown = JSON.parse(data.json);
    if (!Array.isArray(value)) return [data.json];
    return value.map((item: unknown) => (typeof item === 'string' ? item : JSON.stringify(item)));
  }
  return [];
}
