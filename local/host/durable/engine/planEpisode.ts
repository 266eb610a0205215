import type { InvocationOutcome } from '../../invoke/invokeFunction.js';
import { EventType, type HistoryEvent, historyEvent, isTerminal, OrchestrationStatus } from '../model/historyEvent.js';
import { replayActions, type ReplayOptions } from '../replay/HostReplay.js';
import type { InstanceRecord } from '../store/TaskHubStore.js';
import type { Instance, PendingMessage } from './Instance.js';
import { orchestratorBindingInfo, orchestratorState } from './orchestratorProtocol.js';

/** What one episode changes; nothing is applied until the engine has committed it. */
export interface EpisodePlan {
  append: HistoryEvent[];
  record: InstanceRecord;
  /** Messages consumed from the inbox table, to delete once history holds them. */
  consumedInboxKeys: string[];
  /** Messages to keep back (the instance is suspended). */
  held: PendingMessage[];
  /** TaskScheduled, TimerCreated and SubOrchestrationInstanceCreated events to act on. */
  newTasks: HistoryEvent[];
  /** Set when the orchestration called continueAsNew: the new execution's input (JSON text). */
  continueAsNewInput?: string | null;
}

export interface EpisodeDeps {
  invokeOrchestrator(name: string, bindingInfo: string): Promise<InvocationOutcome | undefined>;
  replayOptions: Omit<ReplayOptions, 'executionId'>;
}

const isType = (type: EventType) => (m: PendingMessage) => m.event.EventType === type;

/**
 * One episode, as DTFx runs it: terminate wins without running user code; suspend holds every later message until
 * resume; otherwise the orchestrator replays its whole history plus the new messages, and its actions are checked and
 * turned into new history events (reference §2.2.3, §2.5, §2.6).
 */
export async function planEpisode(
  instance: Instance,
  messages: PendingMessage[],
  now: Date,
  deps: EpisodeDeps,
): Promise<EpisodePlan> {
  const record: InstanceRecord = { ...instance.record, lastUpdatedTime: now };
  const plan = (fields: Partial<EpisodePlan>): EpisodePlan => ({
    append: [],
    record,
    consumedInboxKeys: [],
    held: instance.held,
    newTasks: [],
    ...fields,
  });
  const inboxKeys = (list: PendingMessage[]) => list.flatMap((m) => (m.inboxKey ? [m.inboxKey] : []));
  const started = historyEvent(EventType.OrchestratorStarted, now);
  const completed = historyEvent(EventType.OrchestratorCompleted, now);

  if (isTerminal(record.runtimeStatus)) return plan({ consumedInboxKeys: inboxKeys(messages) });

  const terminate = messages.find(isType(EventType.ExecutionTerminated));
  if (terminate) {
    const reason = terminate.event.Input ?? '';
    Object.assign(record, { runtimeStatus: 'Terminated', output: reason, completedTime: now });
    const end = historyEvent(EventType.ExecutionCompleted, now, {
      OrchestrationStatus: OrchestrationStatus.Terminated,
      Result: reason,
    });
    return plan({
      append: [started, terminate.event, end, completed],
      consumedInboxKeys: inboxKeys([...messages, ...instance.held]),
      held: [],
    });
  }

  let events: PendingMessage[];
  if (record.runtimeStatus === 'Suspended') {
    const resume = messages.find(isType(EventType.ExecutionResumed));
    if (!resume)
      return plan({ held: [...instance.held, ...messages.filter((m) => !isType(EventType.ExecutionSuspended)(m))] });
    events = [resume, ...instance.held, ...messages.filter((m) => m !== resume)];
    record.runtimeStatus = 'Running';
  } else {
    const suspend = messages.find(isType(EventType.ExecutionSuspended));
    if (suspend) {
      record.runtimeStatus = 'Suspended';
      const rest = messages.filter((m) => m !== suspend && !isType(EventType.ExecutionResumed)(m));
      return plan({
        append: [started, suspend.event, completed],
        consumedInboxKeys: inboxKeys([suspend]),
        held: [...instance.held, ...rest],
      });
    }
    events = [...instance.held, ...messages.filter((m) => !isType(EventType.ExecutionResumed)(m))];
  }

  const newEvents = [started, ...events.map((m) => ({ ...m.event, IsPlayed: false }))];
  const history = [...instance.history, ...newEvents];
  const executionStarted = history.find((e) => e.EventType === EventType.ExecutionStarted);
  const consumedInboxKeys = [
    ...new Set(inboxKeys([...events, ...messages.filter(isType(EventType.ExecutionResumed))])),
  ];
  if (!executionStarted) return plan({ held: [...instance.held, ...events] }); // nothing to run until the start arrives
  if (record.runtimeStatus === 'Pending') record.runtimeStatus = 'Running';

  const outcome = await deps.invokeOrchestrator(
    record.name,
    orchestratorBindingInfo(
      record.instanceId,
      history,
      executionStarted.Input,
      record.parent?.OrchestrationInstance.InstanceId,
    ),
  );
  const state = outcome
    ? orchestratorState(outcome)
    : {
        isDone: false,
        actions: [[]],
        schemaVersion: 2,
        error: `The function '${record.name}' doesn't exist, is disabled, or is not an orchestrator function.`,
      };
  const replay = replayActions(history, state.actions[0] ?? [], {
    ...deps.replayOptions,
    executionId: record.executionId,
  });
  if (state.customStatus !== undefined) record.customStatus = JSON.stringify(state.customStatus);

  const failure = replay.failure ?? state.error;
  if (failure) {
    const output = `Orchestrator function '${record.name}' failed: ${failure}`;
    Object.assign(record, { runtimeStatus: 'Failed', output: JSON.stringify(output), completedTime: now });
    const end = historyEvent(EventType.ExecutionCompleted, now, {
      EventId: replay.nextEventId,
      OrchestrationStatus: OrchestrationStatus.Failed,
      Result: output,
    });
    return plan({ append: [...newEvents, end, completed], consumedInboxKeys, held: [] });
  }

  const append = [...newEvents, ...replay.newEvents];
  let continueAsNewInput: string | null | undefined;
  if (state.isDone && replay.continueAsNew) {
    continueAsNewInput = replay.continueAsNew.input === undefined ? null : JSON.stringify(replay.continueAsNew.input);
    Object.assign(record, { runtimeStatus: 'ContinuedAsNew', output: continueAsNewInput });
    append.push(
      historyEvent(EventType.ContinueAsNew, now, { EventId: replay.nextEventId, Result: continueAsNewInput }),
    );
  } else if (state.isDone) {
    const result = state.output === undefined ? null : JSON.stringify(state.output);
    Object.assign(record, { runtimeStatus: 'Completed', output: result, completedTime: now });
    append.push(
      historyEvent(EventType.ExecutionCompleted, now, {
        EventId: replay.nextEventId,
        OrchestrationStatus: OrchestrationStatus.Completed,
        Result: result,
      }),
    );
  }
  append.push(completed);
  return plan({
    append,
    consumedInboxKeys,
    held: [],
    newTasks: replay.newEvents,
    ...(continueAsNewInput !== undefined ? { continueAsNewInput } : {}),
  });
}
