import { MIN_QUEUE_POLLING_INTERVAL_MS } from '../app/hostJson.js';

/**
 * WebJobs' RandomizedExponentialBackoffStrategy for queue polling: the minimum interval after a poll that found
 * work, then roughly doubling (±20 % jitter) on each empty poll up to `maxMs`.
 */
export class PollingBackoff {
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #currentMs: number;

  constructor(maxMs: number, minMs = MIN_QUEUE_POLLING_INTERVAL_MS, random: () => number = Math.random) {
    this.#minMs = Math.min(minMs, maxMs);
    this.#maxMs = maxMs;
    this.#random = random;
    this.#currentMs = this.#minMs;
  }

  /** The delay before the next poll, given whether the last poll found messages. */
  nextDelayMs(foundMessages: boolean): number {
    if (foundMessages) {
      this.#currentMs = this.#minMs;
      return this.#minMs;
    }
    const jitter = 0.8 + this.#random() * 0.4;
    this.#currentMs = Math.min(this.#maxMs, Math.max(this.#minMs, this.#currentMs * 2 * jitter));
    return Math.round(this.#currentMs);
  }
}
