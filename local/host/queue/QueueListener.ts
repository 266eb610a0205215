import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';

import { resolveSettingExpressions } from '../app/appSettings.js';
import type { QueuesOptions } from '../app/hostJson.js';
import { bindingString, type TriggeredFunction } from '../functionIndex.js';
import type { HostRuntime } from '../HostRuntime.js';
import type { Logger } from '../logger.js';
import { decodeQueueMessage } from './messageEncoding.js';
import { PollingBackoff } from './PollingBackoff.js';
import { assertValidQueueName } from './queueName.js';
import { queueTriggerMetadata } from './queueTriggerMetadata.js';

/** Messages are taken invisible for 10 minutes and renewed at half that while their invocation runs (WebJobs). */
const PROCESSING_VISIBILITY_SECONDS = 600;
const RENEW_VISIBILITY_EVERY_MS = (PROCESSING_VISIBILITY_SECONDS * 1000) / 2;

/**
 * A storage queue trigger with the Storage Queues extension's semantics: up to `batchSize` messages at once, a new
 * batch once in-flight work drops to `newBatchThreshold`; on success the message is deleted; on failure it becomes
 * visible again after `visibilityTimeout`, and after `maxDequeueCount` attempts it moves to `<queue>-poison`.
 */
export class QueueListener {
  readonly queueName: string;
  readonly #runtime: HostRuntime;
  readonly #fn: TriggeredFunction;
  readonly #options: QueuesOptions;
  readonly #queue: QueueClient;
  readonly #poisonQueue: QueueClient;
  readonly #backoff: PollingBackoff;
  readonly #log: Logger;
  #inFlight = 0;
  #stopped = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(runtime: HostRuntime, fn: TriggeredFunction) {
    this.#runtime = runtime;
    this.#fn = fn;
    this.#options = runtime.hostJson.extensions.queues;
    this.queueName = resolveSettingExpressions(bindingString(fn, fn.trigger, 'queueName'));
    assertValidQueueName(this.queueName);
    const service = runtime.storage.queueService(fn.trigger.connection as string | undefined);
    this.#queue = service.getQueueClient(this.queueName);
    this.#poisonQueue = service.getQueueClient(`${this.queueName}-poison`);
    this.#backoff = new PollingBackoff(this.#options.maxPollingIntervalMs);
    this.#log = runtime.logger.child({ function: fn.name, queue: this.queueName });
  }

  start(): void {
    this.#unsubscribe = this.#runtime.queueWatcher.subscribe(this.queueName, () => this.#wake?.());
    this.#loop = this.#pollLoop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#wake?.();
    await this.#loop;
  }

  async #pollLoop(): Promise<void> {
    while (!this.#stopped) {
      let delayMs: number;
      if (this.#inFlight > this.#options.newBatchThreshold) {
        delayMs = this.#options.maxPollingIntervalMs;
      } else {
        try {
          const found = await this.#receiveBatch();
          delayMs = found > 0 ? 0 : this.#backoff.nextDelayMs(false);
          if (found > 0) this.#backoff.nextDelayMs(true);
        } catch (error: unknown) {
          this.#log.warn({ err: error }, 'Polling the queue failed; backing off');
          delayMs = this.#backoff.nextDelayMs(false);
        }
      }
      if (delayMs > 0) await this.#sleep(delayMs);
    }
  }

  /** Waits `ms`, or less when an output binding of this host enqueued here or a batch slot freed up. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  async #receiveBatch(): Promise<number> {
    let messages: DequeuedMessageItem[];
    try {
      const response = await this.#queue.receiveMessages({
        numberOfMessages: this.#options.batchSize,
        visibilityTimeout: PROCESSING_VISIBILITY_SECONDS,
      });
      messages = response.receivedMessageItems;
    } catch (error: unknown) {
      if ((error as { statusCode?: number }).statusCode === 404) return 0; // the queue does not exist yet: empty
      throw error;
    }
    for (const message of messages) {
      this.#inFlight++;
      // Tracked as a whole, so shutdown also waits for the delete / release / poison move that follows the invocation.
      void this.#runtime.inFlight.track(this.#process(message)).finally(() => {
        this.#inFlight--;
        if (this.#inFlight <= this.#options.newBatchThreshold) this.#wake?.();
      });
    }
    return messages.length;
  }

  async #process(message: DequeuedMessageItem): Promise<void> {
    const log = this.#log.child({ messageId: message.messageId, dequeueCount: message.dequeueCount });
    try {
      if (message.dequeueCount > this.#options.maxDequeueCount) {
        await this.#moveToPoison(message, log);
        return;
      }
      const renewal = this.#keepInvisible(message);
      let succeeded = false;
      try {
        const text = decodeQueueMessage(message.messageText, this.#options.messageEncoding);
        if (text === undefined) {
          log.error('Message is not valid base64 (host.json extensions.queues.messageEncoding is "base64")');
        } else {
          const outcome = await this.#runtime.invoke(this.#fn.registered, {
            inputData: [{ name: this.#fn.triggerName, data: { string: text } }],
            triggerMetadata: queueTriggerMetadata(this.#fn.name, message, text),
            reason: `New queue message detected on '${this.queueName}'.`,
          });
          succeeded = outcome.succeeded;
        }
      } finally {
        renewal.stop();
      }
      const popReceipt = renewal.popReceipt();
      if (succeeded) await this.#queue.deleteMessage(message.messageId, popReceipt);
      else if (message.dequeueCount >= this.#options.maxDequeueCount)
        await this.#moveToPoison({ ...message, popReceipt }, log);
      else
        await this.#queue.updateMessage(
          message.messageId,
          popReceipt,
          undefined,
          this.#options.visibilityTimeout / 1000,
        );
    } catch (error: unknown) {
      log.error(
        { err: error },
        'Could not complete the queue message; it becomes visible again when its lease expires',
      );
    }
  }

  async #moveToPoison(message: DequeuedMessageItem, log: Logger): Promise<void> {
    await this.#poisonQueue.createIfNotExists();
    await this.#poisonQueue.sendMessage(message.messageText);
    await this.#queue.deleteMessage(message.messageId, message.popReceipt);
    log.warn(
      `Message has reached MaxDequeueCount of ${this.#options.maxDequeueCount}. Moving message to queue '${this.queueName}-poison'.`,
    );
  }

  /** Renews the message's invisibility while its invocation runs; the pop receipt changes with each renewal. */
  #keepInvisible(message: DequeuedMessageItem): { stop(): void; popReceipt(): string } {
    let popReceipt = message.popReceipt;
    const timer = setInterval(() => {
      this.#queue
        .updateMessage(message.messageId, popReceipt, undefined, PROCESSING_VISIBILITY_SECONDS)
        .then((response) => {
          popReceipt = response.popReceipt ?? popReceipt;
        })
        .catch((error: unknown) => this.#log.warn({ err: error }, 'Could not renew message visibility'));
    }, RENEW_VISIBILITY_EVERY_MS);
    return { stop: () => clearInterval(timer), popReceipt: () => popReceipt };
  }
}
