import type { KeyObject } from 'node:crypto';

import type { QueueClient } from '@azure/storage-queue';
import type { z } from 'zod';

import type { REPLY_BODIES } from '../../shared/protocol/index.js';
import { type Command, type ReplyType, sealReply } from '../../shared/protocol/index.js';
import type { Logger } from '../logging/createAgentLogger.js';
import { shrinkOutputTails } from '../shrinkOutputTails.js';
import { statusCodeOf } from './statusCodeOf.js';

const REPLY_TTL_MS = 10 * 60_000;
const MAX_RETRY_DELAY_MS = 5000;

/** Signs replies with the agent's key and sends them to the reply queue, retrying until they expire. */
export class ReplySender {
  readonly #queue: QueueClient;
  readonly #mayCreateQueue: boolean;
  readonly #vmId: string;
  readonly #privateKey: KeyObject;
  readonly #logger: Logger;
  readonly #pending = new Set<Promise<void>>();

  constructor(queue: QueueClient, mayCreateQueue: boolean, vmId: string, privateKey: KeyObject, logger: Logger) {
    this.#queue = queue;
    this.#mayCreateQueue = mayCreateQueue;
    this.#vmId = vmId;
    this.#privateKey = privateKey;
    this.#logger = logger;
  }

  /** Never throws. The reply names the command's run and instance. */
  send<T extends ReplyType>(command: Command, type: T, body: z.input<(typeof REPLY_BODIES)[T]>): Promise<void> {
    const sending = this.#send(command, type, body);
    this.#pending.add(sending);
    void sending.finally(() => this.#pending.delete(sending));
    return sending;
  }

  /** Waits for replies still being sent (at shutdown). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }

  async #send<T extends ReplyType>(command: Command, type: T, body: z.input<(typeof REPLY_BODIES)[T]>): Promise<void> {
    const input = { type, vmId: this.#vmId, instanceId: command.instanceId, runId: command.runId, ttlMs: REPLY_TTL_MS };
    let sealed = sealReply({ ...input, body }, this.#privateKey);
    // Output tails are the only unbounded-looking part; cut them before giving up on a reply.
    for (const maxChars of [1024, 0]) {
      if (sealed.ok) break;
      sealed = sealReply({ ...input, body: shrinkOutputTails(body, maxChars) }, this.#privateKey);
    }
    if (!sealed.ok) {
      this.#logger.error({ type, runId: command.runId }, 'reply does not fit in a queue message');
      return;
    }
    const deadline = Date.now() + REPLY_TTL_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#queue.sendMessage(sealed.wire);
        this.#logger.info(
          { type, messageId: sealed.message.id, runId: command.runId, inReplyTo: command.id },
          'reply sent',
        );
        return;
      } catch (error: unknown) {
        if (statusCodeOf(error) === 404 && this.#mayCreateQueue)
          await this.#queue.createIfNotExists().catch(() => undefined);
        if (Date.now() > deadline) {
          this.#logger.error({ err: error, type, runId: command.runId }, 'reply expired before it could be sent');
          return;
        }
        if (attempt === 1 || attempt % 10 === 0)
          this.#logger.warn({ err: error, type, attempt }, 'reply not sent yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** attempt)));
      }
    }
  }
}
