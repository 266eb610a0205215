import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  type DurableHost,
  historyOf,
  raise,
  startDurableHost,
  startOrchestration,
  statusOf,
  waitForStatus,
} from '../../support/durableApp.js';

describe('orchestration patterns on the local durable engine', () => {
  let host: DurableHost;
  beforeAll(async () => {
    host = await startDurableHost();
  });
  afterAll(() => host.stop('SIGKILL'));

  it('runs a chain of activities and returns their results in order, with custom status', async () => {
    expect((await startOrchestration(host, 'hello', 'chain-1', ['A', 'B', 'C'])).status).toBe(202);
    const status = await waitForStatus(host, 'chain-1');
    expect(status).toMatchObject({
      runtimeStatus: 'Completed',
      output: ['Hello A!', 'Hello B!', 'Hello C!'],
      customStatus: { greeted: 3 },
    });
  });

  it('fans out 500 activities and fans in every result, each activity executed', async () => {
    await startOrchestration(host, 'fanOut', 'fan-500', { count: 500, key: 'fan-500' });
    const status = await waitForStatus(host, 'fan-500', undefined, 60_000);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 500 });
    const queue = QueueServiceClient.fromConnectionString(inject('azuriteConnectionString')).getQueueClient(
      host.sideEffectQueue,
    );
    expect((await queue.getProperties()).approximateMessagesCount).toBe(500);
  });

  it('lets the activity win a Task.any against a timer, and cancels the timer', async () => {
    await startOrchestration(host, 'race', 'race-activity', { activityMs: 20, timeoutMs: 5_000 });
    expect(await waitForStatus(host, 'race-activity')).toMatchObject({
      output: { winner: 'activity', result: 'slept 20' },
    });
  });

  it('lets the timer win a Task.any against a slow activity', async () => {
    await startOrchestration(host, 'race', 'race-timer', { activityMs: 3_000, timeoutMs: 200 });
    const status = await waitForStatus(host, 'race-timer');
    expect(status.output).toEqual({ winner: 'timer' });
    expect(new Date(status.lastUpdatedTime).getTime() - new Date(status.createdTime).getTime()).toBeLessThan(2_500);
  });

  it('delivers an external event raised after the orchestrator started waiting, then a second one of the same name in order', async () => {
    await startOrchestration(host, 'waitEvent', 'event-after', { timeoutMs: 30_000 });
    await waitForStatus(host, 'event-after', ['Running']);
    await expect.poll(async () => (await statusOf(host, 'event-after')).customStatus).toBe('waiting');
    expect(await raise(host, 'event-after', 'approve', 'first')).toBe(202);
    expect(await raise(host, 'event-after', 'approve', 'second')).toBe(202);
    expect(await waitForStatus(host, 'event-after')).toMatchObject({ output: { approved: 'first', second: 'second' } });
  });

  it('buffers external events raised before the orchestrator waits for them', async () => {
    await startOrchestration(host, 'waitEvent', 'event-before', { timeoutMs: 30_000, delayBeforeWaitMs: 1_000 });
    expect(await raise(host, 'event-before', 'approve', 'early')).toBe(202);
    expect(await raise(host, 'event-before', 'approve', 'early-2')).toBe(202);
    expect(await waitForStatus(host, 'event-before')).toMatchObject({
      output: { approved: 'early', second: 'early-2' },
    });
  });

  it('retries a failing activity with backoff timers until it succeeds', async () => {
    await startOrchestration(host, 'retry', 'retry-ok', { failTimes: 2, attempts: 3, key: 'retry-ok' });
    const status = await waitForStatus(host, 'retry-ok');
    expect(status.output).toEqual({ result: 'succeeded on attempt 3' });
    const history = await historyOf(host, 'retry-ok');
    expect(history.map((e) => e.EventType)).toEqual([
      'ExecutionStarted',
      'TaskFailed',
      'TimerCreated',
      'TimerFired',
      'TaskFailed',
      'TimerCreated',
      'TimerFired',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    const timers = history.filter((e) => e.EventType === 'TimerCreated');
    const gaps = timers.map((t) => new Date(String(t.FireAt)).getTime() - new Date(String(t.Timestamp)).getTime());
    expect(gaps).toEqual([100, 200]); // firstRetryInterval 100 ms, backoff 2
  });

  it('fails the task with the last error once the retries are exhausted, catchable by the orchestrator', async () => {
    await startOrchestration(host, 'retry', 'retry-exhausted', { failTimes: 5, attempts: 2, key: 'retry-exhausted' });
    const status = await waitForStatus(host, 'retry-exhausted');
    expect(status.runtimeStatus).toBe('Completed');
    expect((status.output as { failed: string }).failed).toMatch(
      /^Activity function 'flaky' failed: {2}flaky failure 2 \n \{/,
    );
  });

  it('returns a sub-orchestration result to its parent', async () => {
    await startOrchestration(host, 'parent', 'parent-ok', { childFails: false });
    expect(await waitForStatus(host, 'parent-ok')).toMatchObject({ output: { result: 'Hello child!' } });
    expect(await statusOf(host, 'parent-ok-child')).toMatchObject({
      runtimeStatus: 'Completed',
      output: 'Hello child!',
    });
  });

  it('raises a sub-orchestration failure in the parent as a catchable error', async () => {
    await startOrchestration(host, 'parent', 'parent-fail', { childFails: true });
    const status = await waitForStatus(host, 'parent-fail');
    expect(status.runtimeStatus).toBe('Completed');
    expect((status.output as { caught: string }).caught).toContain(
      "Orchestrator function 'child' failed: child went wrong",
    );
    expect(await statusOf(host, 'parent-fail-child')).toMatchObject({ runtimeStatus: 'Failed' });
  });

  it('runs 100 generations of continueAsNew, keeping only the last execution', async () => {
    await startOrchestration(host, 'counter', 'counter-100', { n: 0, until: 100 });
    const status = await waitForStatus(host, 'counter-100', undefined, 60_000);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 100, input: { n: 100, until: 100 } });
    const history = await historyOf(host, 'counter-100');
    expect(history.map((e) => e.EventType)).toEqual(['ExecutionStarted', 'ExecutionCompleted']);
  });

  it('terminates an orchestration that waits, with the reason as output, and then refuses its events', async () => {
    await startOrchestration(host, 'waitForever', 'terminate-me');
    await waitForStatus(host, 'terminate-me', ['Running']);
    expect(
      (await fetch(`${host.url}/api/terminate/terminate-me?reason=operator%20said%20stop`, { method: 'POST' })).status,
    ).toBe(202);
    expect(await waitForStatus(host, 'terminate-me', ['Terminated'])).toMatchObject({ output: 'operator said stop' });
    const late = await fetch(`${host.url}/durabletask/instances/terminate-me/raiseEvent/never`, {
      method: 'POST',
      body: '1',
    });
    expect(late.status).toBe(410);
  });

  it('splits a timer longer than six days into three-day steps', async () => {
    await startOrchestration(host, 'longTimer', 'long-timer');
    await waitForStatus(host, 'long-timer', ['Running']);
    const raw = await fetch(`${host.url}/durabletask/instances/long-timer?showHistory=true`);
    const timer = ((await raw.json()) as { historyEvents: Record<string, string>[] }).historyEvents.find(
      (e) => e.EventType === 'TimerCreated',
    );
    const stepMs = new Date(timer?.FireAt ?? 0).getTime() - new Date(timer?.Timestamp ?? 0).getTime();
    expect(stepMs).toBe(3 * 24 * 3600_000);
    await fetch(`${host.url}/api/terminate/long-timer`, { method: 'POST' });
  });

  it('carries payloads larger than a table property (64 KiB) through blobs, and reads them back after completion', async () => {
    await startOrchestration(host, 'bigResult', 'big-result', 100_000);
    const status = await waitForStatus(host, 'big-result');
    expect((status.output as { length: number }).length).toBe(100_000);
    const history = await historyOf(host, 'big-result');
    expect((history.find((e) => e.EventType === 'TaskCompleted')?.Result as string).length).toBe(100_000);
  });

  it('retries a failed sub-orchestration with the same instance id until it succeeds', async () => {
    await startOrchestration(host, 'parentRetry', 'sub-retry');
    expect(await waitForStatus(host, 'sub-retry')).toMatchObject({
      runtimeStatus: 'Completed',
      output: 'succeeded on attempt 2',
    });
    const history = await historyOf(host, 'sub-retry');
    expect(history.map((e) => e.EventType)).toEqual([
      'ExecutionStarted',
      'SubOrchestrationInstanceFailed',
      'TimerCreated',
      'TimerFired',
      'SubOrchestrationInstanceCompleted',
      'ExecutionCompleted',
    ]);
  });

  it('never runs more activities at once than maxConcurrentActivityFunctions (50 in this app)', async () => {
    await startOrchestration(host, 'concurrency', 'bounded', 200);
    const peak = (await waitForStatus(host, 'bounded')).output as number;
    expect(peak).toBeLessThanOrEqual(50);
    expect(peak).toBeGreaterThanOrEqual(25); // and they do run in parallel
  });

  it('hands a string given to continueAsNew to the next execution still JSON-quoted, as the extension does (§2.6.7)', async () => {
    await startOrchestration(host, 'stringGenerations', 'string-can', 'first');
    expect(await waitForStatus(host, 'string-can')).toMatchObject({ runtimeStatus: 'Completed', output: '"second"' });
  });

  it('fails the parent task when its sub-orchestration is terminated, with the reason (as DTFx does)', async () => {
    await startOrchestration(host, 'parentOfWaiter', 'parent-of-terminated');
    await waitForStatus(host, 'parent-of-terminated-child', ['Running']);
    await fetch(`${host.url}/api/terminate/parent-of-terminated-child?reason=cut%20short`, { method: 'POST' });
    const status = await waitForStatus(host, 'parent-of-terminated');
    expect((status.output as { caught: string }).caught).toMatch(/^cut short \n /);
  });
});
