import { describe, expect, it } from 'vitest';

import { ActionType, type OrchestratorAction } from '../../../../../local/host/durable/model/actions.js';
import { EventType, type HistoryEvent, historyEvent } from '../../../../../local/host/durable/model/historyEvent.js';
import { replayActions, type ReplayOptions } from '../../../../../local/host/durable/replay/HostReplay.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const DAY = 24 * 3600_000;
const at = (ms: number) => new Date(T0 + ms);
const options: ReplayOptions = {
  executionId: 'exec1',
  maximumShortTimerMs: 6 * DAY,
  longTimerIntervalMs: 3 * DAY,
  functionExists: (_kind, name) => name !== 'missing',
};

const activity = (name: string): OrchestratorAction => ({ actionType: ActionType.CallActivity, functionName: name });
const episode = (ms: number, ...events: Partial<HistoryEvent>[]): HistoryEvent[] => [
  historyEvent(EventType.OrchestratorStarted, at(ms)),
  ...events.map((fields) => ({ ...historyEvent(fields.EventType ?? EventType.GenericEvent, at(ms)), ...fields })),
];
const start = episode(0, { EventType: EventType.ExecutionStarted });
const scheduled = (id: number, name: string): Partial<HistoryEvent> => ({
  EventType: EventType.TaskScheduled,
  EventId: id,
  Name: name,
});
const done = (id: number): Partial<HistoryEvent> => ({
  EventType: EventType.TaskCompleted,
  TaskScheduledId: id,
  Result: 'null',
});
const failed = (id: number): Partial<HistoryEvent> => ({
  EventType: EventType.TaskFailed,
  TaskScheduledId: id,
  Reason: 'boom',
});
const summary = (events: HistoryEvent[]) =>
  events.map(
    (e) => `${EventType[e.EventType]}#${e.EventId}${e.Name ? ` ${e.Name}` : ''}${e.FireAt ? ` @${e.FireAt}` : ''}`,
  );

describe('replayActions (host-side ids, as DTFx allocates them)', () => {
  it('schedules the first action at ExecutionStarted and nothing more while it is open', () => {
    const result = replayActions(start, [activity('a'), activity('b')], options);
    expect(summary(result.newEvents)).toEqual(['TaskScheduled#0 a']);
    expect(result.nextEventId).toBe(1);
  });

  it('allocates the next action before a retry timer when their completions arrive in that order (§2.5)', () => {
    const retryA: OrchestratorAction = {
      actionType: ActionType.CallActivityWithRetry,
      functionName: 'A',
      retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 2 },
    };
    const actions = [{ actionType: ActionType.WhenAny, compoundActions: [retryA, activity('b')] }, activity('c')];
    const history = [...start, scheduled(0, 'A'), scheduled(1, 'b')].map((e) => ({
      ...historyEvent(EventType.GenericEvent, at(0)),
      ...e,
    })) as HistoryEvent[];
    history.push(...episode(5000, done(1), failed(0)));
    expect(summary(replayActions(history, actions, options).newEvents)).toEqual([
      'TaskScheduled#2 c',
      `TimerCreated#3 @${at(6000).toISOString()}`,
    ]);
  });

  it('runs the retry timer even after the last failed attempt, then fails; backoff and cap apply', () => {
    const retry: OrchestratorAction = {
      actionType: ActionType.CallActivityWithRetry,
      functionName: 'flaky',
      retryOptions: {
        firstRetryIntervalInMilliseconds: 1000,
        maxNumberOfAttempts: 2,
        backoffCoefficient: 3,
        maxRetryIntervalInMilliseconds: 2500,
      },
    };
    const h = [...start, ...episode(0, scheduled(0, 'flaky')).slice(1)];
    h.push(...episode(10, failed(0)));
    expect(summary(replayActions(h, [retry], options).newEvents)).toEqual([
      `TimerCreated#1 @${at(1010).toISOString()}`,
    ]);
    h.push({ ...historyEvent(EventType.TimerCreated, at(10)), EventId: 1 });
    h.push(...episode(1010, { EventType: EventType.TimerFired, TimerId: 1 }));
    expect(summary(replayActions(h, [retry], options).newEvents)).toEqual(['TaskScheduled#2 flaky']);
    h.push({ ...historyEvent(EventType.TaskScheduled, at(1010)), EventId: 2, Name: 'flaky' });
    h.push(...episode(2000, failed(2)));
    // Second delay: 1000 × 3 = 3000, capped at 2500; the timer runs although no attempt follows it.
    expect(summary(replayActions(h, [retry], options).newEvents)).toEqual([
      `TimerCreated#3 @${at(4500).toISOString()}`,
    ]);
  });

  it('stops retrying without a timer once retryTimeout has passed', () => {
    const retry: OrchestratorAction = {
      actionType: ActionType.CallActivityWithRetry,
      functionName: 'flaky',
      retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 5, retryTimeoutInMilliseconds: 500 },
    };
    const h = [
      ...start,
      { ...historyEvent(EventType.TaskScheduled, at(0)), EventId: 0, Name: 'flaky' },
      ...episode(600, failed(0)),
    ];
    const result = replayActions(h, [retry, activity('after')], options);
    expect(summary(result.newEvents)).toEqual(['TaskScheduled#1 after']);
  });

  it('waits for every child of a WhenAll, even after one failed, before the next action', () => {
    const actions = [
      { actionType: ActionType.WhenAll, compoundActions: [activity('a'), activity('b')] },
      activity('c'),
    ];
    const h = [
      ...start,
      { ...historyEvent(EventType.TaskScheduled, at(0)), EventId: 0, Name: 'a' },
      { ...historyEvent(EventType.TaskScheduled, at(0)), EventId: 1, Name: 'b' },
    ];
    h.push(...episode(10, failed(0)));
    expect(replayActions(h, actions, options).newEvents).toEqual([]);
    h.push(...episode(20, done(1)));
    expect(summary(replayActions(h, actions, options).newEvents)).toEqual(['TaskScheduled#2 c']);
  });

  it('splits a long timer into three-day steps with fresh ids, the last one at the final time', () => {
    const fireAt = at(8 * DAY).toISOString();
    const timer: OrchestratorAction = { actionType: ActionType.CreateTimer, fireAt, isCanceled: false };
    const h = [...start];
    expect(summary(replayActions(h, [timer], options).newEvents)).toEqual([
      `TimerCreated#0 @${at(3 * DAY).toISOString()}`,
    ]);
    h.push(
      { ...historyEvent(EventType.TimerCreated, at(0)), EventId: 0 },
      ...episode(3 * DAY, { EventType: EventType.TimerFired, TimerId: 0 }),
    );
    expect(summary(replayActions(h, [timer], options).newEvents)).toEqual([
      `TimerCreated#1 @${at(6 * DAY).toISOString()}`,
    ]);
    h.push(
      { ...historyEvent(EventType.TimerCreated, at(3 * DAY)), EventId: 1 },
      ...episode(6 * DAY, { EventType: EventType.TimerFired, TimerId: 1 }),
    );
    expect(summary(replayActions(h, [timer, activity('after')], options).newEvents)).toEqual([
      `TimerCreated#2 @${fireAt}`,
    ]);
  });

  it('still creates a timer that was canceled, but does not wait for it', () => {
    const canceled: OrchestratorAction = {
      actionType: ActionType.CreateTimer,
      fireAt: at(DAY).toISOString(),
      isCanceled: true,
    };
    expect(summary(replayActions(start, [canceled, activity('next')], options).newEvents)).toEqual([
      `TimerCreated#0 @${at(DAY).toISOString()}`,
      'TaskScheduled#1 next',
    ]);
  });

  it('buffers events raised before a wait (first in, first out) and resolves several waiters newest first', () => {
    const wait = (name: string): OrchestratorAction => ({
      actionType: ActionType.WaitForExternalEvent,
      externalEventName: name,
    });
    const raised = (name: string): Partial<HistoryEvent> => ({
      EventType: EventType.EventRaised,
      Name: name,
      Input: '1',
    });
    const early = [...start, ...episode(5, raised('Go'))];
    expect(summary(replayActions(early, [wait('go'), activity('after')], options).newEvents)).toEqual([
      'TaskScheduled#0 after',
    ]);
    const twoWaiters = { actionType: ActionType.WhenAll, compoundActions: [wait('go'), wait('go')] };
    const oneEvent = [...start, ...episode(5, raised('go'))];
    expect(replayActions(oneEvent, [twoWaiters, activity('after')], options).newEvents).toEqual([]);
  });

  it('names a sub-orchestration instance after the execution and task id unless one is given', () => {
    const child: OrchestratorAction = {
      actionType: ActionType.CallSubOrchestrator,
      functionName: 'child',
      input: { a: 1 },
    };
    const [created] = replayActions(start, [child], options).newEvents;
    expect(created).toMatchObject({
      EventType: EventType.SubOrchestrationInstanceCreated,
      EventId: 0,
      InstanceId: 'exec1:0',
      Input: '{"a":1}',
    });
    const named = replayActions(start, [{ ...child, instanceId: 'fixed' }], options).newEvents[0];
    expect(named?.InstanceId).toBe('fixed');
  });

  it('reports non-determinism, unknown functions and unsupported actions as failures', () => {
    const h = [...start, { ...historyEvent(EventType.TaskScheduled, at(0)), EventId: 0, Name: 'say' }];
    expect(replayActions(h, [activity('noop')], options).failure).toMatch(
      /^Non-deterministic workflow detected: history has TaskScheduled 0 'say', but the orchestrator code now schedules TaskScheduled 'noop'/,
    );
    expect(replayActions(h, [], options).failure).toMatch(/now schedules nothing at that point/);
    expect(replayActions(start, [activity('missing')], options).failure).toBe(
      "The function 'missing' doesn't exist, is disabled, or is not an activity function.",
    );
    expect(replayActions(start, [{ actionType: ActionType.CallHttp }], options).failure).toMatch(
      /does not support the CallHttp action/,
    );
  });

  it('reports continueAsNew with its input', () => {
    expect(replayActions(start, [{ actionType: ActionType.ContinueAsNew, input: { n: 2 } }], options)).toMatchObject({
      continueAsNew: { input: { n: 2 } },
      newEvents: [],
    });
  });
});
