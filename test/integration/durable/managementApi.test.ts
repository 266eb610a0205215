import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type DurableHost,
  historyOf,
  raise,
  startDurableHost,
  startOrchestration,
  statusOf,
  waitForStatus,
} from '../../support/durableApp.js';

describe('the durable client and management API of the local host', () => {
  let host: DurableHost;
  const api = (path: string, init?: RequestInit) => fetch(`${host.url}/durabletask/${path}`, init);
  beforeAll(async () => {
    host = await startDurableHost();
  });
  afterAll(() => host.stop('SIGKILL'));

  it('answers a start with createCheckStatusResponse URLs that work against this host', async () => {
    const response = await startOrchestration(host, 'hello', 'check-status', ['X']);
    expect(response.status).toBe(202);
    const body = (await response.json()) as Record<string, string>;
    expect(body.id).toBe('check-status');
    expect(response.headers.get('location')).toBe(body.statusQueryGetUri);
    // The library swaps in the origin of the request it answers.
    expect(body.statusQueryGetUri).toBe(
      `${host.url}/runtime/webhooks/durabletask/instances/check-status?taskHub=${host.hub}&connection=Storage`,
    );
    await waitForStatus(host, 'check-status');
    const polled = await fetch(body.statusQueryGetUri ?? '');
    expect(polled.status).toBe(200);
    expect(await polled.json()).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello X!'] });
  });

  it('reads status through DurableClient with input, output, custom status and second-precision times', async () => {
    await startOrchestration(host, 'hello', 'status-shape', ['Y']);
    const status = await waitForStatus(host, 'status-shape');
    expect(status).toMatchObject({
      name: 'hello',
      instanceId: 'status-shape',
      input: ['Y'],
      output: ['Hello Y!'],
      customStatus: { greeted: 1 },
    });
    expect(status.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/); // the library parses "…:ssZ" into a Date
    // durable-functions 3.5.0 drops history (it reads `history`, the extension sends `historyEvents`); pinned here.
    expect((await statusOf(host, 'status-shape', true)).historyEvents).toBeUndefined();
  });

  it('serves history in the extension shape: scheduling folded into completions, results parsed', async () => {
    const history = await historyOf(host, 'status-shape');
    expect(history.map((e) => e.EventType)).toEqual(['ExecutionStarted', 'TaskCompleted', 'ExecutionCompleted']);
    expect(history[0]).toMatchObject({ FunctionName: 'hello', Input: '["Y"]' });
    expect(history[1]).toMatchObject({ FunctionName: 'say', Result: 'Hello Y!', Input: '["\\"Y\\""]' });
    expect(history[1]).toHaveProperty('ScheduledTime');
    expect(history[1]).not.toHaveProperty('TaskScheduledId');
    expect(history[2]).toMatchObject({ OrchestrationStatus: 'Completed', Result: ['Hello Y!'] });
    const withoutOutput = (await (await api('instances/status-shape?showHistory=true&showInput=false')).json()) as {
      historyEvents: object[];
      input: unknown;
    };
    expect(withoutOutput.input).toBeNull();
    expect(withoutOutput.historyEvents[1]).not.toHaveProperty('Result');
    expect(withoutOutput.historyEvents[1]).not.toHaveProperty('Input');
  });

  it('answers 202 with Retry-After while running and 404 for an unknown instance', async () => {
    await startOrchestration(host, 'waitForever', 'still-running');
    await waitForStatus(host, 'still-running', ['Running']);
    const running = await api('instances/still-running');
    expect(running.status).toBe(202);
    expect(running.headers.get('retry-after')).toBe('5');
    expect((await api('instances/no-such-instance')).status).toBe(404);
    expect((await fetch(`${host.url}/api/status/no-such-instance`)).status).toBe(404); // DurableClient throws on 404
  });

  it('lists instances with filters, through DurableClient and page by page with continuation tokens', async () => {
    for (const id of ['list-a', 'list-b', 'list-c']) await startOrchestration(host, 'hello', id, [id]);
    for (const id of ['list-a', 'list-b', 'list-c']) await waitForStatus(host, id);
    const completed = (await (await fetch(`${host.url}/api/list?status=Completed`)).json()) as { instanceId: string }[];
    expect(completed.map((s) => s.instanceId)).toEqual(expect.arrayContaining(['list-a', 'list-b', 'list-c']));
    const running = (await (await fetch(`${host.url}/api/list?status=Running`)).json()) as { instanceId: string }[];
    expect(running.map((s) => s.instanceId)).not.toContain('list-a');

    const future = encodeURIComponent(new Date(Date.now() + 3600_000).toISOString());
    expect(await (await api(`instances/?instanceIdPrefix=list-&createdTimeFrom=${future}`)).json()).toEqual([]);
    const first = await api('instances/?instanceIdPrefix=list-&top=2');
    const token = first.headers.get('x-ms-continuation-token');
    expect(((await first.json()) as object[]).length).toBe(2);
    expect(token).toBeTruthy();
    const second = await api('instances/?instanceIdPrefix=list-&top=2', {
      headers: { 'x-ms-continuation-token': token ?? '' },
    });
    expect(((await second.json()) as { instanceId: string }[]).map((s) => s.instanceId)).toEqual(['list-c']);
  });

  it('purges a finished instance through DurableClient, and refuses to purge a running one', async () => {
    await startOrchestration(host, 'hello', 'purge-me', ['Z']);
    await waitForStatus(host, 'purge-me');
    expect(await (await fetch(`${host.url}/api/purge/purge-me`, { method: 'DELETE' })).json()).toEqual({
      instancesDeleted: 1,
    });
    expect((await api('instances/purge-me')).status).toBe(404);
    expect(await (await fetch(`${host.url}/api/purge/purge-me`, { method: 'DELETE' })).json()).toEqual({
      instancesDeleted: 0,
    });
    expect((await api('instances/still-running', { method: 'DELETE' })).status).toBe(409);
  });

  it('answers bad requests with clear errors', async () => {
    const unknown = await api('orchestrators/noSuchOrchestrator', { method: 'POST' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      message: "The function 'noSuchOrchestrator' doesn't exist, is disabled, or is not an orchestrator function.",
    });
    expect((await api('orchestrators/hello/%40bad', { method: 'POST' })).status).toBe(400);
    expect((await api('orchestrators/hello', { method: 'POST', body: '{not json' })).status).toBe(400);
    const duplicate = await api('orchestrators/waitForever/still-running', { method: 'POST' });
    expect(duplicate.status).toBe(409);
    expect(((await duplicate.json()) as { message: string }).message).toContain('already exists and is Running');
    expect((await api('instances/still-running/raiseEvent/x', { method: 'POST', body: 'nope' })).status).toBe(400);
    expect((await api('instances/nobody/raiseEvent/x', { method: 'POST', body: '1' })).status).toBe(404);
    expect((await api('instances/still-running/rewind', { method: 'POST' })).status).toBe(501);
    expect((await api('instances/?createdTimeFrom=yesterday')).status).toBe(400);
  });

  it('suspends an instance, holds its events while suspended, and resumes it', async () => {
    await startOrchestration(host, 'waitEvent', 'suspend-me', { timeoutMs: 60_000 });
    await expect.poll(async () => (await statusOf(host, 'suspend-me')).customStatus).toBe('waiting');
    expect((await api('instances/suspend-me/suspend?reason=maintenance', { method: 'POST' })).status).toBe(202);
    await waitForStatus(host, 'suspend-me', ['Suspended']);
    expect(await raise(host, 'suspend-me', 'approve', 'while suspended')).toBe(202);
    expect(await raise(host, 'suspend-me', 'approve', 'also held')).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await statusOf(host, 'suspend-me')).runtimeStatus).toBe('Suspended');
    expect((await api('instances/suspend-me/resume?reason=done', { method: 'POST' })).status).toBe(202);
    expect(await waitForStatus(host, 'suspend-me')).toMatchObject({
      output: { approved: 'while suspended', second: 'also held' },
    });
  });

  it('fails an orchestration whose code no longer replays its history, naming the mismatch', async () => {
    await startOrchestration(host, 'shifty', 'shifty-1');
    await waitForStatus(host, 'shifty-1', ['Running']);
    await expect
      .poll(async () => (await historyOf(host, 'shifty-1')).some((e) => e.EventType === 'TaskCompleted'))
      .toBe(true);
    await host.stop('SIGTERM');
    host = await startDurableHost({ hub: host.hub, sideEffectQueue: host.sideEffectQueue, env: { SHIFTY: 'on' } });
    expect(await raise(host, 'shifty-1', 'continue', true)).toBe(202);
    const status = await waitForStatus(host, 'shifty-1');
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toBe(
      "Orchestrator function 'shifty' failed: Non-deterministic workflow detected: history has TaskScheduled 0 'say', but the orchestrator code now schedules TaskScheduled 'noop' at that point. Orchestrator code must not change the actions it takes for in-flight instances.",
    );
  });
});
