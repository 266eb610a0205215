import { randomUUID } from 'node:crypto';

import type { TriggeredFunction } from '../../functionIndex.js';
import type { HostRuntime } from '../../HostRuntime.js';
import type { Logger } from '../../logger.js';
import { BlobLease } from '../../storage/BlobLease.js';
import { parseJsonText } from '../api/statusPayload.js';
import {
  ACTIVE_STATUSES,
  EventType,
  type HistoryEvent,
  historyEvent,
  isTerminal,
  OrchestrationStatus,
  type ParentInstance,
  runtimeStatusName,
} from '../model/historyEvent.js';
import type { InstanceRecord, TaskHubStore } from '../store/TaskHubStore.js';
import { activityCompletion, activityInputData } from './activityProtocol.js';
import { DurableError } from './DurableError.js';
import { executionStartedEvent } from './executionStarted.js';
import { type Instance, newInstance, type PendingMessage } from './Instance.js';
import { openWork } from './openWork.js';
import { LONG_TIMER_INTERVAL_MS, MAXIMUM_SHORT_TIMER_MS } from './orchestratorProtocol.js';
import { type EpisodePlan, planEpisode } from './planEpisode.js';
import { Semaphore } from './Semaphore.js';

export interface DurableEngineOptions {
  runtime: HostRuntime;
  store: TaskHubStore;
  orchestrators: Map<string, TriggeredFunction>;
  activities: Map<string, TriggeredFunction>;
  maxConcurrentActivities: number;
  maxConcurrentOrchestrations: number;
}

/** setTimeout's ceiling; longer timers are re-armed in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const MAX_COMMIT_BACKOFF_MS = 10_000;
/**
 * A change of custom status alone reaches the instance row at most this late: this host answers status queries from
 * memory, and recovery replays history, so the row's custom status only needs to catch up. A phase that lasts less
 * (a VM's last steps) costs no row write at all; a change of runtime status or output is written before its work goes
 * out, as DTFx does.
 */
const CUSTOM_STATUS_WRITE_DELAY_MS = 2_000;

/**
 * The durable engine: runs orchestration episodes (one at a time per instance, at most
 * `maxConcurrentOrchestratorFunctions` at once), activities (at most `maxConcurrentActivityFunctions`), durable timers
 * and sub-orchestrations. Each episode commits history before anything it decided happens, so a killed host resumes
 * every instance from its history: activities without a result run again (at least once), timers are re-armed.
 */
export class DurableEngine {
  readonly store: TaskHubStore;
  readonly #runtime: HostRuntime;
  readonly #log: Logger;
  readonly #orchestrators: Map<string, TriggeredFunction>;
  readonly #activities: Map<string, TriggeredFunction>;
  readonly #instances = new Map<string, Instance>();
  readonly #creating = new Set<string>();
  readonly #ready: Instance[] = [];
  readonly #activitySlots: Semaphore;
  readonly #maxEpisodes: number;
  readonly #lease: BlobLease;
  #runningEpisodes = 0;
  #stopped = false;

  constructor(options: DurableEngineOptions) {
    this.store = options.store;
    this.#runtime = options.runtime;
    this.#log = options.runtime.logger.child({ taskHub: options.store.hubName });
    this.#orchestrators = options.orchestrators;
    this.#activities = options.activities;
    this.#activitySlots = new Semaphore(options.maxConcurrentActivities);
    this.#maxEpisodes = Math.max(1, options.maxConcurrentOrchestrations);
    const leases = options.runtime.storage
      .blobService()
      .getContainerClient(`${options.store.hubName.toLowerCase()}-leases`);
    this.#lease = new BlobLease(leases, 'app', this.#log);
  }

  /** Takes the task hub's app lease (one host per hub), creates its tables and resumes every active instance. */
  async start(): Promise<void> {
    if (
      !(await this.#lease.acquire(() => this.#log.error('Lost the task hub lease; another host may now run this hub')))
    )
      return;
    await this.store.ensureCreated();
    await this.#recover();
  }

  /** Stops starting work; running episodes and activities are drained by the host. Timers are dropped (re-armed on start). */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const instance of this.#instances.values()) {
      for (const timer of instance.timers.values()) clearTimeout(timer);
      clearTimeout(instance.retryTimer);
    }
    await this.#runtime.inFlight.drain(30_000);
    await this.#flushStaleRows();
    await this.#lease.release();
  }

  /** On the way out, the custom statuses not written yet (best effort: recovery does not need them). */
  async #flushStaleRows(): Promise<void> {
    const stale = [...this.#instances.values()].filter((instance) => instance.rowStale);
    for (const instance of stale) clearTimeout(instance.rowFlush);
    await Promise.all(stale.map((instance) => this.#writeRow(instance)));
  }

  get activeInstanceCount(): number {
    return this.#instances.size;
  }

  // ---- client operations ----

  async startNew(name: string, instanceId: string | undefined, input: string | null): Promise<string> {
    if (!this.#orchestrators.has(name.toLowerCase())) {
      throw new DurableError(
        400,
        `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
      );
    }
    const id = instanceId ?? randomUUID().replace(/-/g, '');
    assertValidInstanceId(id);
    await this.#createInstance(this.#orchestrators.get(name.toLowerCase())?.name ?? name, id, input, undefined);
    return id;
  }

  /** The instance's record (fresh from memory when it is active) and, on request, its history. */
  async getInstance(
    instanceId: string,
    withHistory: boolean,
  ): Promise<{ record: InstanceRecord; history: HistoryEvent[] } | undefined> {
    const active = this.#instances.get(instanceId);
    if (active) return { record: active.record, history: withHistory ? active.history : [] };
    const record = await this.store.getInstance(instanceId);
    if (!record) return undefined;
    return { record, history: withHistory ? await this.store.loadHistory(instanceId, record.executionId) : [] };
  }

  /** Records in memory are fresher than rows (rows are written when status, custom status or output change). */
  freshRecord(record: InstanceRecord): InstanceRecord {
    return this.#instances.get(record.instanceId)?.record ?? record;
  }

  raiseEvent(instanceId: string, name: string, data: string | null): Promise<void> {
    return this.#sendToActive(instanceId, historyEvent(EventType.EventRaised, new Date(), { Name: name, Input: data }));
  }

  terminate(instanceId: string, reason: string): Promise<void> {
    return this.#sendToActive(instanceId, historyEvent(EventType.ExecutionTerminated, new Date(), { Input: reason }));
  }

  suspend(instanceId: string, reason: string): Promise<void> {
    return this.#sendToActive(instanceId, historyEvent(EventType.ExecutionSuspended, new Date(), { Reason: reason }));
  }

  resume(instanceId: string, reason: string): Promise<void> {
    return this.#sendToActive(instanceId, historyEvent(EventType.ExecutionResumed, new Date(), { Reason: reason }));
  }

  /** Deletes a finished instance with its history. */
  async purge(instanceId: string): Promise<boolean> {
    if (this.#instances.has(instanceId)) {
      throw new DurableError(
        409,
        `Instance '${instanceId}' is still running; terminate it before purging its history.`,
      );
    }
    const record = await this.store.getInstance(instanceId);
    if (!record) return false;
    await this.store.deleteInstance(instanceId);
    return true;
  }

  // ---- messages and scheduling ----

  async #sendToActive(instanceId: string, event: HistoryEvent): Promise<void> {
    const instance = this.#instances.get(instanceId);
    // An instance whose last episode ended it is still in memory until that episode's clean-up is done.
    if (instance && isTerminal(instance.record.runtimeStatus))
      throw new DurableError(410, `Instance '${instanceId}' is ${instance.record.runtimeStatus}.`);
    if (!instance) {
      const record = await this.store.getInstance(instanceId);
      if (!record) throw new DurableError(404, `No instance with ID '${instanceId}' was found.`);
      throw new DurableError(410, `Instance '${instanceId}' is ${record.runtimeStatus}.`);
    }
    const message = await this.store.addInboxMessage(instanceId, event);
    this.#deliver(instanceId, { event: message.event, inboxKey: message.key });
  }

  #deliver(instanceId: string, message: PendingMessage): void {
    const instance = this.#instances.get(instanceId);
    if (!instance) {
      this.#log.debug(
        { instanceId, eventType: EventType[message.event.EventType] },
        'Dropped a message for an instance that is not running',
      );
      return;
    }
    instance.pending.push(message);
    this.#schedule(instance);
  }

  #schedule(instance: Instance): void {
    if (instance.busy || instance.queued || instance.retryTimer || this.#stopped || instance.pending.length === 0)
      return;
    instance.queued = true;
    this.#ready.push(instance);
    this.#pump();
  }

  #pump(): void {
    while (this.#runningEpisodes < this.#maxEpisodes && this.#ready.length > 0) {
      const instance = this.#ready.shift() as Instance;
      instance.queued = false;
      instance.busy = true;
      this.#runningEpisodes++;
      void this.#runtime.inFlight.track(this.#episode(instance)).finally(() => {
        instance.busy = false;
        this.#runningEpisodes--;
        this.#schedule(instance);
        this.#pump();
      });
    }
  }

  async #episode(instance: Instance): Promise<void> {
    const executionId = instance.record.executionId;
    const messages = instance.pending.splice(0).filter((m) => !m.executionId || m.executionId === executionId);
    if (messages.length === 0) return;
    let plan: EpisodePlan;
    try {
      plan = await planEpisode(instance, messages, new Date(), {
        invokeOrchestrator: (name, bindingInfo) =>
          this.#invokeOrchestrator(instance.record.instanceId, name, bindingInfo),
        replayOptions: {
          maximumShortTimerMs: MAXIMUM_SHORT_TIMER_MS,
          longTimerIntervalMs: LONG_TIMER_INTERVAL_MS,
          functionExists: (kind, name) =>
            (kind === 'activity' ? this.#activities : this.#orchestrators).has(name.toLowerCase()),
        },
      });
      await this.#commit(instance, plan);
    } catch (error: unknown) {
      instance.pending.unshift(...messages);
      const backoffMs = Math.min(MAX_COMMIT_BACKOFF_MS, 100 * 2 ** instance.commitFailures++);
      this.#log.error({ err: error, instanceId: instance.record.instanceId, backoffMs }, 'Episode failed; retrying');
      instance.retryTimer = setTimeout(() => {
        instance.retryTimer = undefined;
        this.#schedule(instance);
      }, backoffMs);
      return;
    }
    instance.commitFailures = 0;
    await this.#afterCommit(instance, plan);
  }

  #invokeOrchestrator(instanceId: string, name: string, bindingInfo: string) {
    const fn = this.#orchestrators.get(name.toLowerCase());
    if (!fn) return Promise.resolve(undefined);
    return this.#runtime.invoke(fn.registered, {
      inputData: [{ name: fn.triggerName, data: { string: bindingInfo } }],
      reason: `Orchestration episode of '${instanceId}'`,
    });
  }

  /** History first, then the instance row when its status or output changed, as DTFx commits an episode. */
  async #commit(instance: Instance, plan: EpisodePlan): Promise<void> {
    const { record } = plan;
    if (plan.append.length > 0) {
      await this.store.appendHistory(record.instanceId, record.executionId, instance.history.length, plan.append);
    }
    const before = instance.record;
    if (before.runtimeStatus !== record.runtimeStatus || before.output !== record.output) {
      await this.store.putInstance(record);
      this.#rowCurrent(instance);
    } else if (before.customStatus !== record.customStatus) {
      instance.rowStale = true;
      this.#armRowFlush(instance);
    }
    instance.history.push(...plan.append.map((event) => ({ ...event, IsPlayed: true })));
    instance.record = record;
    instance.held = plan.held;
  }

  #armRowFlush(instance: Instance): void {
    instance.rowFlush ??= setTimeout(() => this.#flushRow(instance), CUSTOM_STATUS_WRITE_DELAY_MS);
  }

  /** The row holds the record as it is: no deferred write is due. */
  #rowCurrent(instance: Instance): void {
    clearTimeout(instance.rowFlush);
    instance.rowFlush = undefined;
    instance.rowStale = false;
  }

  /** Writes a row left behind by its custom status, between episodes (never beside one, whose write would race it). */
  #flushRow(instance: Instance): void {
    instance.rowFlush = undefined;
    if (!instance.rowStale || this.#instances.get(instance.record.instanceId) !== instance) return;
    if (instance.busy || instance.queued) {
      this.#armRowFlush(instance);
      return;
    }
    instance.busy = true;
    const write = this.#writeRow(instance)
      .then((written) => {
        if (!written) this.#armRowFlush(instance);
      })
      .finally(() => {
        instance.busy = false;
        this.#schedule(instance);
      });
    void this.#runtime.inFlight.track(write);
  }

  /** Writes the instance's row as it is in memory; false (with a warning) when that failed. */
  async #writeRow(instance: Instance): Promise<boolean> {
    try {
      await this.store.putInstance(instance.record);
      this.#rowCurrent(instance);
      return true;
    } catch (error: unknown) {
      this.#log.warn({ err: error, instanceId: instance.record.instanceId }, 'Could not write the instance row');
      return false;
    }
  }

  /** The inbox rows this episode consumed; recovery skips any left behind, as their events are in history. */
  async #deleteConsumed(plan: EpisodePlan): Promise<void> {
    if (plan.consumedInboxKeys.length === 0) return;
    const { instanceId } = plan.record;
    await this.store.deleteInboxMessages(instanceId, plan.consumedInboxKeys).catch((error: unknown) => {
      this.#log.warn({ err: error, instanceId }, 'Could not delete consumed inbox messages; recovery skips them');
    });
  }

  /**
   * Sends the episode's work out (activities, timers, children), then deletes the inbox rows it consumed, as DTFx
   * deletes the control-queue messages of an episode only after sending the messages it produced: a raised event
   * never waits for that delete to reach the activity it unblocks. Before a new execution replaces the history.
   */
  async #afterCommit(instance: Instance, plan: EpisodePlan): Promise<void> {
    const { record } = instance;
    for (const event of plan.newTasks) this.#startTask(instance, event);
    await this.#deleteConsumed(plan);
    if (plan.continueAsNewInput !== undefined) {
      await this.#continueAsNew(instance, plan.continueAsNewInput);
    } else if (isTerminal(record.runtimeStatus)) {
      this.#finish(instance);
    }
  }

  #startTask(instance: Instance, event: HistoryEvent): void {
    if (event.EventType === EventType.TaskScheduled)
      this.#dispatchActivity(instance.record.instanceId, instance.record.executionId, event);
    else if (event.EventType === EventType.TimerCreated) this.#armTimer(instance, event);
    else if (event.EventType === EventType.SubOrchestrationInstanceCreated) void this.#startChild(instance, event);
  }

  #finish(instance: Instance): void {
    const { record } = instance;
    for (const timer of instance.timers.values()) clearTimeout(timer);
    this.#rowCurrent(instance);
    this.#instances.delete(record.instanceId);
    if (!record.parent) return;
    const parent = record.parent;
    const at = new Date();
    const event =
      record.runtimeStatus === 'Completed'
        ? historyEvent(EventType.SubOrchestrationInstanceCompleted, at, {
            TaskScheduledId: parent.TaskScheduleId,
            Result: record.output,
          })
        : historyEvent(EventType.SubOrchestrationInstanceFailed, at, {
            TaskScheduledId: parent.TaskScheduleId,
            Reason: failureReason(record),
            Details: JSON.stringify({ Message: failureReason(record) }),
          });
    this.#deliver(parent.OrchestrationInstance.InstanceId, {
      event,
      executionId: parent.OrchestrationInstance.ExecutionId,
    });
  }

  /** A new execution: the row moves to the new execution first, so a crash never restarts the old one. */
  async #continueAsNew(instance: Instance, input: string | null): Promise<void> {
    for (const timer of instance.timers.values()) clearTimeout(timer);
    instance.timers.clear();
    const record: InstanceRecord = {
      ...instance.record,
      executionId: newExecutionId(),
      generation: instance.record.generation + 1,
      input,
      output: null,
      runtimeStatus: 'Running',
      lastUpdatedTime: new Date(),
    };
    await this.store.putInstance(record);
    this.#rowCurrent(instance);
    await this.store.deleteHistory(record.instanceId);
    instance.record = record;
    instance.history = [];
    instance.held = [];
    instance.pending = [
      { event: executionStartedEvent(record, new Date()) },
      // Messages from outside (events, terminate, suspend) go to the new execution; completions of the old one do not.
      ...instance.pending.filter((m) => m.executionId === undefined),
    ];
    this.#schedule(instance);
  }

  // ---- work items ----

  #dispatchActivity(instanceId: string, executionId: string, scheduled: HistoryEvent): void {
    const fn = this.#activities.get((scheduled.Name ?? '').toLowerCase());
    if (!fn) return; // HostReplay refused unknown activities before they reached history
    const work = this.#activitySlots.run(async () => {
      if (this.#stopped) return; // not started: recovery runs it again
      const data = activityInputData(scheduled);
      const outcome = await this.#runtime.invoke(fn.registered, {
        inputData: [{ name: fn.triggerName, ...(data ? { data } : {}) }],
        triggerMetadata: { instanceId: { string: instanceId } },
        reason: `Activity of orchestration '${instanceId}'`,
      });
      this.#deliver(instanceId, { event: activityCompletion(fn.name, scheduled, outcome, new Date()), executionId });
    });
    void this.#runtime.inFlight.track(work);
  }

  #armTimer(instance: Instance, created: HistoryEvent): void {
    const { instanceId, executionId } = instance.record;
    const fireAt = Date.parse(created.FireAt ?? '');
    const arm = () => {
      const remainingMs = fireAt - Date.now();
      if (remainingMs > 0) {
        instance.timers.set(created.EventId, setTimeout(arm, Math.min(remainingMs, MAX_TIMEOUT_MS)));
        return;
      }
      instance.timers.delete(created.EventId);
      const fired = historyEvent(EventType.TimerFired, new Date(), {
        TimerId: created.EventId,
        FireAt: created.FireAt ?? '',
      });
      this.#deliver(instanceId, { event: fired, executionId });
    };
    arm();
  }

  async #startChild(parentInstance: Instance, created: HistoryEvent): Promise<void> {
    const { record } = parentInstance;
    const parent: ParentInstance = {
      Name: record.name,
      Version: record.version,
      TaskScheduleId: created.EventId,
      OrchestrationInstance: { InstanceId: record.instanceId, ExecutionId: record.executionId },
    };
    const childId = created.InstanceId ?? '';
    try {
      const existing = this.#instances.get(childId)?.record ?? (await this.store.getInstance(childId));
      if (existing && sameParent(existing.parent, parent)) {
        if (isTerminal(existing.runtimeStatus)) this.#finish(newInstance(existing)); // recovery: report the result it already has
        return;
      }
      await this.#createInstance(created.Name ?? '', childId, created.Input ?? null, parent, existing);
    } catch (error: unknown) {
      const reason = error instanceof Error ? error.message : String(error);
      const failed = historyEvent(EventType.SubOrchestrationInstanceFailed, new Date(), {
        TaskScheduledId: created.EventId,
        Reason: reason,
        Details: JSON.stringify({ Message: reason }),
      });
      this.#deliver(record.instanceId, { event: failed, executionId: record.executionId });
    }
  }

  /**
   * A new instance: a client's start writes its Pending row before it returns; a sub-orchestration's does not, as
   * its parent's committed history already holds its start (recovery starts it again) and its first episode writes
   * the row. `existing` is the row when the caller has just read it.
   */
  async #createInstance(
    name: string,
    instanceId: string,
    input: string | null,
    parent: ParentInstance | undefined,
    existing?: InstanceRecord,
  ): Promise<void> {
    if (this.#creating.has(instanceId) || this.#instances.has(instanceId)) {
      const status = this.#instances.get(instanceId)?.record.runtimeStatus ?? 'Pending';
      throw new DurableError(
        409,
        `An orchestration instance with the ID '${instanceId}' already exists and is ${status}.`,
      );
    }
    this.#creating.add(instanceId);
    try {
      const previous = parent ? existing : await this.store.getInstance(instanceId);
      if (previous && !isTerminal(previous.runtimeStatus)) {
        throw new DurableError(
          409,
          `An orchestration instance with the ID '${instanceId}' already exists and is ${previous.runtimeStatus}.`,
        );
      }
      const now = new Date();
      const record: InstanceRecord = {
        instanceId,
        name,
        version: '',
        input,
        output: null,
        customStatus: null,
        createdTime: now,
        lastUpdatedTime: now,
        completedTime: null,
        runtimeStatus: 'Pending',
        executionId: newExecutionId(),
        generation: 0,
        ...(parent ? { parent } : {}),
      };
      if (previous) await this.store.deleteHistory(instanceId);
      if (!parent) await this.store.putInstance(record);
      const instance = newInstance(record);
      instance.pending.push({ event: executionStartedEvent(record, now) });
      this.#instances.set(instanceId, instance);
      this.#schedule(instance);
    } finally {
      this.#creating.delete(instanceId);
    }
  }

  // ---- recovery ----

  async #recover(): Promise<void> {
    let continuationToken: string | undefined;
    let recovered = 0;
    do {
      const page = await this.store.queryInstances({ runtimeStatus: [...ACTIVE_STATUSES] }, 200, continuationToken);
      await Promise.all(page.instances.map((record) => this.#recoverInstance(record)));
      recovered += page.instances.length;
      continuationToken = page.continuationToken;
    } while (continuationToken);
    if (recovered > 0)
      this.#log.info({ recovered }, `Resumed ${recovered} orchestration instance(s) from the task hub`);
  }

  async #recoverInstance(record: InstanceRecord): Promise<void> {
    const [history, inbox] = await Promise.all([
      this.store.loadHistory(record.instanceId, record.executionId),
      this.store.listInbox(record.instanceId),
    ]);
    const instance = newInstance(record, history);
    this.#instances.set(record.instanceId, instance);
    const work = openWork(history);
    if (work.ended) {
      // History ended the execution but the row was not updated before the crash.
      const ended = work.ended;
      if (ended.EventType === EventType.ContinueAsNew) return this.#continueAsNew(instance, ended.Result ?? null);
      instance.record = endedRecord(record, ended);
      await this.store.putInstance(instance.record);
      return this.#finish(instance);
    }
    const consumed = new Set(history.map((e) => e.MessageId).filter(Boolean));
    const stale = inbox.filter((m) => consumed.has(m.key)).map((m) => m.key);
    if (stale.length > 0) await this.store.deleteInboxMessages(record.instanceId, stale);
    if (!work.started) instance.pending.push({ event: executionStartedEvent(record, new Date()) });
    for (const message of inbox) {
      if (!consumed.has(message.key)) instance.pending.push({ event: message.event, inboxKey: message.key });
    }
    if (record.runtimeStatus === 'Suspended') {
      const control = (m: PendingMessage) =>
        m.event.EventType === EventType.ExecutionResumed || m.event.EventType === EventType.ExecutionTerminated;
      instance.held = instance.pending.filter((m) => !control(m));
      instance.pending = instance.pending.filter(control);
    }
    for (const event of work.open) this.#startTask(instance, event);
    this.#schedule(instance);
  }
}

function endedRecord(record: InstanceRecord, ended: HistoryEvent): InstanceRecord {
  const runtimeStatus = runtimeStatusName(ended.OrchestrationStatus ?? OrchestrationStatus.Completed);
  const output = runtimeStatus === 'Failed' ? JSON.stringify(ended.Result ?? '') : (ended.Result ?? null);
  return {
    ...record,
    runtimeStatus,
    output,
    completedTime: new Date(ended.Timestamp),
    lastUpdatedTime: new Date(ended.Timestamp),
  };
}

/** DTFx reports a Failed or Terminated child to its parent with the child's result as Reason (the terminate reason). */
function failureReason(record: InstanceRecord): string {
  if (record.output === null) return `Orchestrator function '${record.name}' ended ${record.runtimeStatus}.`;
  if (record.runtimeStatus === 'Terminated') return record.output;
  const value = parseJsonText(record.output);
  return typeof value === 'string' ? value : record.output;
}

function sameParent(a: ParentInstance | undefined, b: ParentInstance): boolean {
  return (
    a !== undefined &&
    a.OrchestrationInstance.InstanceId === b.OrchestrationInstance.InstanceId &&
    a.OrchestrationInstance.ExecutionId === b.OrchestrationInstance.ExecutionId &&
    a.TaskScheduleId === b.TaskScheduleId
  );
}

function newExecutionId(): string {
  return randomUUID().replace(/-/g, '');
}

/** DTFx rejects ids that start with '@', hold / \ # ? or control characters, or are longer than 256 characters. */
function assertValidInstanceId(id: string): void {
  // eslint-disable-next-line no-control-regex
  if (id.length === 0 || id.length > 256 || id.startsWith('@') || /[/\\#?\u0000-\u001f\u007f-\u009f]/.test(id)) {
    throw new DurableError(
      400,
      `"${id}" is not a valid instance id: 1-256 characters, not starting with '@', without / \\ # ? or control characters.`,
    );
  }
}
