/**
 * Lets a queue output binding wake the listener of the same queue at once, as the WebJobs SDK's SharedQueueWatcher
 * does, instead of waiting for the listener's backed-off poll.
 */
export class QueueWatcher {
  readonly #listeners = new Map<string, Set<() => void>>();

  subscribe(queueName: string, onEnqueued: () => void): () => void {
    const listeners = this.#listeners.get(queueName) ?? new Set();
    listeners.add(onEnqueued);
    this.#listeners.set(queueName, listeners);
    return () => listeners.delete(onEnqueued);
  }

  notify(queueName: string): void {
    for (const listener of this.#listeners.get(queueName) ?? []) listener();
  }
}
