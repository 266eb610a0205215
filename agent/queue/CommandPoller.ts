import type { QueueClient } from '@azure/storage-queue';

import type { Logger } from '../logging/createAgentLogger.js';
import { outageDelayMs, withJitter } from './pollDelay.js';
import { statusCodeOf } from './statusCodeOf.js';

export interface PollerOptions {
  /** The base of the back-off while the queue service fails. */
  busyIntervalMs: number;
  maxOutageBackoffMs: number;
  jitter: number;
  /** Long enough for the slowest command (a pre-script) to finish before the message shows again. */
  visibilityTimeoutSeconds: number;
}

/**
 * Polls the VM's command queue every `intervalMs()` (the agent's call: fast while a backup is in progress, slow when
 * idle), with jitter. Each message is handed to `handle` without waiting (a thaw must not queue behind a running
 * freeze) and deleted only after `handle` settles. Queue outages are logged and survived with a doubling back-off.
 */
export class CommandPoller {
  readonly #queue: QueueClient;
  readonly #options: PollerOptions;
  readonly #logger: Logger;
  readonly #intervalMs: () => number;
  readonly #handle: (text: string, dequeueCount: number) => Promise<void>;
  readonly #mayCreateQueue: boolean;
  readonly #inFlight = new Set<Promise<void>>();
  #stopped = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  /** Receive calls made, for the idle-cost benchmark. */
  receives = 0;

  constructor(
    queue: QueueClient,
    options: PollerOptions,
    logger: Logger,
    intervalMs: () => number,
    handle: (text: string, dequeueCount: number) => Promise<void>,
    mayCreateQueue: boolean,
  ) {
    this.#queue = queue;
    this.#options = options;
    this.#logger = logger;
    this.#intervalMs = intervalMs;
    this.#handle = handle;
    this.#mayCreateQueue = mayCreateQueue;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops polling and waits for commands being handled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Polls now instead of after the current delay (a command just switched the agent to busy). */
  pollSoon(): void {
    this.#wake?.();
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      let found = false;
      try {
        this.receives++;
        const { receivedMessageItems } = await this.#queue.receiveMessages({
          numberOfMessages: 16,
          visibilityTimeout: this.#options.visibilityTimeoutSeconds,
        });
        if (failures > 0) this.#logger.info({ failures }, 'command queue reachable again');
        failures = 0;
        found = receivedMessageItems.length > 0;
        for (const item of receivedMessageItems) {
          const work = this.#handle(item.messageText, item.dequeueCount)
            .catch((error: unknown) =>
              this.#logger.error({ err: error, messageId: item.messageId }, 'command handler failed'),
            )
            .then(() => this.#delete(item.messageId, item.popReceipt));
          this.#inFlight.add(work);
          void work.finally(() => this.#inFlight.delete(work));
        }
      } catch (error: unknown) {
        failures++;
        if (statusCodeOf(error) === 404 && this.#mayCreateQueue) {
          await this.#queue.createIfNotExists().catch(() => undefined);
        } else if (failures === 1 || failures % 10 === 0) {
          this.#logger.warn({ err: error, failures }, 'command queue unreachable; backing off');
        }
      }
      const { busyIntervalMs, maxOutageBackoffMs, jitter } = this.#options;
      const delay =
        failures > 0
          ? withJitter(outageDelayMs(failures, busyIntervalMs, maxOutageBackoffMs), jitter)
          : found
            ? 0
            : withJitter(this.#intervalMs(), jitter);
      await this.#sleep(delay);
    }
  }

  async #delete(messageId: string, popReceipt: string): Promise<void> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        await this.#queue.deleteMessage(messageId, popReceipt);
        return;
      } catch (error: unknown) {
        if (statusCodeOf(error) === 404) return;
        if (attempt === 5) this.#logger.warn({ err: error, messageId }, 'could not delete a handled command');
        else await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}
