import type { HistoryEvent } from '../model/historyEvent.js';

export type HostTaskState = 'open' | 'completed' | 'failed' | 'canceled';

/**
 * A task as the host sees it while it replays an orchestration's actions: settled synchronously by history events, so
 * that continuations (retries, long-timer steps, the next awaited action) run in exactly the order DTFx runs them.
 */
export class HostTask {
  state: HostTaskState = 'open';
  failure: HistoryEvent | undefined;
  readonly #listeners: (() => void)[] = [];

  get settled(): boolean {
    return this.state !== 'open';
  }

  settle(state: Exclude<HostTaskState, 'open'>, failure?: HistoryEvent): void {
    if (this.settled) return;
    this.state = state;
    this.failure = failure;
    for (const listener of this.#listeners.splice(0)) listener();
  }

  onSettled(listener: () => void): void {
    if (this.settled) listener();
    else this.#listeners.push(listener);
  }

  static whenAll(tasks: HostTask[]): HostTask {
    const all = new HostTask();
    let remaining = tasks.length;
    if (remaining === 0) all.settle('completed');
    for (const task of tasks) {
      task.onSettled(() => {
        if (--remaining > 0) return;
        const failed = tasks.find((t) => t.state === 'failed');
        all.settle(failed ? 'failed' : 'completed', failed?.failure);
      });
    }
    return all;
  }

  static whenAny(tasks: HostTask[]): HostTask {
    const any = new HostTask();
    for (const task of tasks) task.onSettled(() => any.settle('completed'));
    return any;
  }
}
