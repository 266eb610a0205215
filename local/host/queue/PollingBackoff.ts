import { MIN_QUEUE_POLLING_INTERVAL_MS } from '../app/hostJson.js';

const RANDOMIZATION_FACTOR = 0.2;

/**
 * WebJobs' RandomizedExponentialBackoffStrategy for queue polling: the minimum interval after a poll that found work;
 * after the n-th empty poll in a row, minimum + 2^(n-1) × minimum (±20 % jitter), capped at `maxMs`.
 */
export class PollingBackoff {
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #currentMs: number;
  #exponent = 1;

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
      this.#exponent = 1;
    } else if (this.#currentMs !== this.#maxMs) {
      const jitter = 1 - RANDOMIZATION_FACTOR + this.#random() * 2 * RANDOMIZATION_FACTOR;
      const backoffMs = this.#minMs + jitter * 2 ** (this.#exponent - 1) * this.#minMs;
      if (backoffMs < this.#maxMs) {
        this.#currentMs = backoffMs;
        this.#exponent++;
      } else {
        this.#currentMs = this.#maxMs;
      }
    }
    return Math.round(this.#currentMs);
  }
}
