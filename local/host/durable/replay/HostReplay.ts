import { ActionType, type OrchestratorAction, type RetryOptions } from '../model/actions.js';
import { EventType, type HistoryEvent, historyEvent } from '../model/historyEvent.js';
import { HostTask } from './HostTask.js';

export interface ReplayOptions {
  executionId: string;
  /** Azure Storage's MaximumDelayTime (6 days): longer timers are split. */
  maximumShortTimerMs: number;
  /** The step of a split timer (3 days). */
  longTimerIntervalMs: number;
  functionExists(kind: 'activity' | 'orchestrator', name: string): boolean;
}

export interface ReplayResult {
  /** Events for actions the orchestrator took that history does not hold yet, in id order. */
  newEvents: HistoryEvent[];
  /** The processInput'd new input, when the orchestrator called continueAsNew. */
  continueAsNew?: { input: unknown };
  /** Why the orchestration must fail: non-determinism, an unknown function, an unsupported action. */
  failure?: string;
  /** The next task id: the EventId of ExecutionCompleted / ContinueAsNew. */
  nextEventId: number;
}

/** Extension default `maxRetryInterval`: 6 days. */
const DEFAULT_MAX_RETRY_INTERVAL_MS = 6 * 24 * 3600_000;

class ReplayFailure extends Error {}

/**
 * Emulates what the Durable extension and DTFx do with an orchestrator's action list (reference §2.5): each top-level
 * action is awaited in turn; task ids are allocated in DTFx order, including the host-driven retry timers and re-attempts
 * and the steps of long timers; WhenAll waits for every child; past scheduling events must match what the code does now.
 */
export function replayActions(
  history: readonly HistoryEvent[],
  actions: readonly OrchestratorAction[],
  options: ReplayOptions,
): ReplayResult {
  return new Replay(actions, options).run(history);
}

class Replay {
  readonly #actions: readonly OrchestratorAction[];
  readonly #options: ReplayOptions;
  readonly #proposed = new Map<number, HistoryEvent>();
  readonly #open = new Map<number, HostTask>();
  readonly #buffered = new Map<string, number>();
  readonly #waiters = new Map<string, HostTask[]>();
  #nextId = 0;
  #cursor = 0;
  #current: HostTask | undefined;
  #now = new Date(0);
  #continueAsNew: { input: unknown } | undefined;

  constructor(actions: readonly OrchestratorAction[], options: ReplayOptions) {
    this.#actions = actions;
    this.#options = options;
  }

  run(history: readonly HistoryEvent[]): ReplayResult {
    try {
      for (const event of history) this.#apply(event);
    } catch (error: unknown) {
      if (error instanceof ReplayFailure) return { newEvents: [], failure: error.message, nextEventId: this.#nextId };
      throw error;
    }
    const newEvents = [...this.#proposed.entries()].sort(([a], [b]) => a - b).map(([, event]) => event);
    return {
      newEvents,
      nextEventId: this.#nextId,
      ...(this.#continueAsNew ? { continueAsNew: this.#continueAsNew } : {}),
    };
  }

  #apply(event: HistoryEvent): void {
    switch (event.EventType) {
      case EventType.OrchestratorStarted:
        this.#now = new Date(event.Timestamp);
        return;
      case EventType.ExecutionStarted:
        this.#advance();
        return;
      case EventType.TaskScheduled:
      case EventType.TimerCreated:
      case EventType.SubOrchestrationInstanceCreated:
        this.#matchPast(event);
        return;
      case EventType.TaskCompleted:
      case EventType.SubOrchestrationInstanceCompleted:
        this.#settle(event.TaskScheduledId, 'completed');
        return;
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed:
        this.#settle(event.TaskScheduledId, 'failed', event);
        return;
      case EventType.TimerFired:
        this.#settle(event.TimerId, 'completed');
        return;
      case EventType.EventRaised:
        this.#raise(event.Name ?? '');
        this.#advance();
        return;
      default:
        return;
    }
  }

  /** Invokes the next actions while the current one has settled: the extension awaits each action before the next. */
  #advance(): void {
    while (!this.#current || this.#current.settled) {
      const action = this.#actions[this.#cursor++];
      if (!action) return;
      this.#current = this.#invoke(action);
    }
  }

  #settle(id: number | undefined, state: 'completed' | 'failed', failure?: HistoryEvent): void {
    const task = id === undefined ? undefined : this.#open.get(id);
    if (!task) return; // a duplicate completion, as DTFx ignores it
    this.#open.delete(id as number);
    task.settle(state, failure);
    this.#advance();
  }

  #matchPast(event: HistoryEvent): void {
    const proposal = this.#proposed.get(event.EventId);
    const same =
      proposal &&
      proposal.EventType === event.EventType &&
      (proposal.Name ?? '').toLowerCase() === (event.Name ?? '').toLowerCase();
    if (!same) {
      const was = `${EventType[event.EventType]} ${event.EventId}${event.Name ? ` '${event.Name}'` : ''}`;
      const now = proposal
        ? `${EventType[proposal.EventType]}${proposal.Name ? ` '${proposal.Name}'` : ''}`
        : 'nothing';
      throw new ReplayFailure(
        `Non-deterministic workflow detected: history has ${was}, but the orchestrator code now schedules ${now} at that point. ` +
          'Orchestrator code must not change the actions it takes for in-flight instances.',
      );
    }
    this.#proposed.delete(event.EventId);
  }

  #invoke(action: OrchestratorAction): HostTask {
    switch (action.actionType) {
      case ActionType.CallActivity:
        return this.#activity(action);
      case ActionType.CallActivityWithRetry:
        return this.#withRetry(() => this.#activity(action), retryOptions(action));
      case ActionType.CallSubOrchestrator:
        return this.#subOrchestration(action);
      case ActionType.CallSubOrchestratorWithRetry:
        return this.#withRetry(() => this.#subOrchestration(action), retryOptions(action));
      case ActionType.CreateTimer:
        return this.#timer(action);
      case ActionType.WaitForExternalEvent:
        return this.#waitForEvent(action.externalEventName ?? '');
      case ActionType.ContinueAsNew: {
        this.#continueAsNew = { input: action.input };
        const done = new HostTask();
        done.settle('completed');
        return done;
      }
      case ActionType.WhenAll:
        return HostTask.whenAll((action.compoundActions ?? []).map((child) => this.#invoke(child)));
      case ActionType.WhenAny:
        return HostTask.whenAny((action.compoundActions ?? []).map((child) => this.#invoke(child)));
      default:
        throw new ReplayFailure(
          `The local host does not support the ${ActionType[action.actionType] ?? action.actionType} action (entities and callHttp).`,
        );
    }
  }

  #allocate(event: HistoryEvent): HostTask {
    const id = this.#nextId++;
    event.EventId = id;
    this.#proposed.set(id, event);
    const task = new HostTask();
    this.#open.set(id, task);
    return task;
  }

  #activity(action: OrchestratorAction): HostTask {
    const name = action.functionName ?? '';
    if (!this.#options.functionExists('activity', name)) {
      throw new ReplayFailure(`The function '${name}' doesn't exist, is disabled, or is not an activity function.`);
    }
    return this.#allocate(
      historyEvent(EventType.TaskScheduled, this.#now, {
        Name: name,
        Version: '',
        Input: JSON.stringify([action.input ?? null]),
      }),
    );
  }

  #subOrchestration(action: OrchestratorAction): HostTask {
    const name = action.functionName ?? '';
    if (!this.#options.functionExists('orchestrator', name)) {
      throw new ReplayFailure(`The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    }
    const event = historyEvent(EventType.SubOrchestrationInstanceCreated, this.#now, {
      Name: name,
      Version: action.version ?? '',
      Input: action.input === undefined ? null : JSON.stringify(action.input),
    });
    const task = this.#allocate(event);
    event.InstanceId = action.instanceId || `${this.#options.executionId}:${event.EventId}`;
    return task;
  }

  #timerAt(fireAt: Date): HostTask {
    return this.#allocate(historyEvent(EventType.TimerCreated, this.#now, { FireAt: fireAt.toISOString() }));
  }

  /** A timer longer than the maximum runs as a chain of `longTimerIntervalMs` steps, each with its own id. */
  #timer(action: OrchestratorAction): HostTask {
    const fireAt = new Date(action.fireAt ?? 0);
    const { maximumShortTimerMs, longTimerIntervalMs } = this.#options;
    if (action.isCanceled) {
      this.#timerAt(fireAt);
      const canceled = new HostTask();
      canceled.settle('canceled');
      return canceled;
    }
    if (fireAt.getTime() - this.#now.getTime() <= maximumShortTimerMs) return this.#timerAt(fireAt);
    const whole = new HostTask();
    const step = () => {
      const remainingMs = fireAt.getTime() - this.#now.getTime();
      if (remainingMs <= 0) return whole.settle('completed');
      const next = remainingMs < longTimerIntervalMs ? fireAt : new Date(this.#now.getTime() + longTimerIntervalMs);
      this.#timerAt(next).onSettled(step);
    };
    this.#timerAt(new Date(this.#now.getTime() + longTimerIntervalMs)).onSettled(step);
    return whole;
  }

  #waitForEvent(name: string): HostTask {
    const key = name.toLowerCase();
    const task = new HostTask();
    const buffered = this.#buffered.get(key) ?? 0;
    if (buffered > 0) {
      this.#buffered.set(key, buffered - 1);
      task.settle('completed');
      return task;
    }
    const waiters = this.#waiters.get(key) ?? [];
    waiters.push(task);
    this.#waiters.set(key, waiters);
    return task;
  }

  /** Several waiters on one name are resolved newest first, as the extension (and the library) do. */
  #raise(name: string): void {
    const key = name.toLowerCase();
    const waiter = this.#waiters.get(key)?.pop();
    if (waiter) waiter.settle('completed');
    else this.#buffered.set(key, (this.#buffered.get(key) ?? 0) + 1);
  }

  /** DTFx RetryInterceptor: attempt; on failure a retry timer (even after the last attempt), then the next attempt. */
  #withRetry(attempt: () => HostTask, retry: RetryOptions): HostTask {
    const outer = new HostTask();
    const firstAttemptAt = this.#now.getTime();
    let retryCount = 0;
    const start = () => {
      const task = attempt();
      task.onSettled(() => {
        if (task.state === 'completed') return outer.settle('completed');
        const delayMs = this.#retryDelayMs(retry, retryCount, firstAttemptAt);
        if (delayMs <= 0) return outer.settle('failed', task.failure);
        this.#timerAt(new Date(this.#now.getTime() + delayMs)).onSettled(() => {
          retryCount++;
          if (retryCount < retry.maxNumberOfAttempts) start();
          else outer.settle('failed', task.failure);
        });
      });
    };
    start();
    return outer;
  }

  #retryDelayMs(retry: RetryOptions, retryCount: number, firstAttemptAt: number): number {
    const timeoutMs = retry.retryTimeoutInMilliseconds;
    if (timeoutMs !== undefined && timeoutMs >= 0 && this.#now.getTime() >= firstAttemptAt + timeoutMs) return 0;
    const delayMs = retry.firstRetryIntervalInMilliseconds * (retry.backoffCoefficient ?? 1) ** retryCount;
    return Math.min(delayMs, retry.maxRetryIntervalInMilliseconds ?? DEFAULT_MAX_RETRY_INTERVAL_MS);
  }
}

function retryOptions(action: OrchestratorAction): RetryOptions {
  if (!action.retryOptions || !(action.retryOptions.firstRetryIntervalInMilliseconds > 0)) {
    throw new ReplayFailure('Retry options need firstRetryIntervalInMilliseconds > 0.');
  }
  return action.retryOptions;
}
