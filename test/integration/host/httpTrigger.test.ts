import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type HostProcess, PROJECT_DIR, startHostProcess, uniqueName } from '../../support/hostProcess.js';

const APP = path.join(PROJECT_DIR, 'test/fixtures/app-esm');

describe('HTTP triggers through the local host', () => {
  let host: HostProcess;
  const terminateMarker = path.join(tmpdir(), `${uniqueName('terminated')}.txt`);

  beforeAll(async () => {
    host = await startHostProcess(APP, {
      AzureWebJobsStorage: inject('azuriteConnectionString'),
      WORK_QUEUE: uniqueName('work'),
      DONE_QUEUE: uniqueName('done'),
      FLAKY_QUEUE: uniqueName('flaky'),
      SLOW_QUEUE: uniqueName('slow'),
      TERMINATE_MARKER_FILE: terminateMarker,
    });
  });
  afterAll(() => host.stop('SIGKILL'));

  it('passes route values, query, headers and body to the handler and returns status, headers and cookies', async () => {
    const response = await fetch(`${host.url}/api/echo/42/a/b%20c/d?x=1&x=2&y=z`, {
      method: 'POST',
      headers: { 'x-test': 'header-value', 'content-type': 'text/plain' },
      body: 'hello body',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.get('set-cookie')).toBe('session=abc; Path=/; HttpOnly; SameSite=Lax');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      method: 'POST',
      params: { id: '42', rest: 'a/b c/d' },
      query: { x: ['1', '2'], y: ['z'] },
      header: 'header-value',
      body: 'hello body',
      functionName: 'echo',
    });
    expect(body.url).toBe(`${host.url}/api/echo/42/a/b%20c/d?x=1&x=2&y=z`);
    expect(response.headers.get('x-ms-invocation-id')).toBe(body.invocationId);
  });

  it('applies route constraints and allowed methods, answering 404 when nothing matches', async () => {
    expect((await fetch(`${host.url}/api/echo/abc/x`)).status).toBe(404);
    expect((await fetch(`${host.url}/api/echo/1/x`, { method: 'PUT' })).status).toBe(404);
    expect((await fetch(`${host.url}/api/no/such/route`)).status).toBe(404);
    expect((await fetch(`${host.url}/echo/1/x`)).status).toBe(404);
  });

  it('matches optional parameters, prefers literal segments, and ignores case like the host', async () => {
    expect(await (await fetch(`${host.url}/api/items`)).json()).toEqual({ id: null });
    expect(await (await fetch(`${host.url}/api/items/7`)).json()).toEqual({ id: '7' });
    expect(await (await fetch(`${host.url}/api/items/special`)).text()).toBe('special');
    expect(await (await fetch(`${host.url}/API/Items/SPECIAL`)).text()).toBe('special');
  });

  it('uses the function name as the default route', async () => {
    expect(await (await fetch(`${host.url}/api/defaultRoute`)).text()).toBe('default route is the function name');
  });

  it('answers 500 when the handler throws and logs the error under the same invocation id', async () => {
    const response = await fetch(`${host.url}/api/boom`);
    expect(response.status).toBe(500);
    const invocationId = response.headers.get('x-ms-invocation-id');
    expect(invocationId).toMatch(/^[0-9a-f-]{36}$/);
    const failure = await host.waitForLog((r) => r.invocationId === invocationId && r.msg.includes('(Failed'));
    expect(failure.function).toBe('boom');
    expect(JSON.stringify(failure.err)).toContain('kaboom');
  });

  it('answers 204 when the handler returns nothing', async () => {
    const response = await fetch(`${host.url}/api/nothing`);
    expect(response.status).toBe(204);
  });

  it('runs appStart once and pre/post invocation hooks around every invocation', async () => {
    await fetch(`${host.url}/api/boom`);
    const seen = (await (await fetch(`${host.url}/api/hooks`)).json()) as {
      appStart: number;
      preInvocation: string[];
      postInvocation: string[];
    };
    expect(seen.appStart).toBe(1);
    expect(seen.preInvocation).toContain('boom');
    expect(seen.postInvocation).toContain('boom:preInvocation:error');
    expect(seen.postInvocation).toContain('echo:preInvocation:ok');
  });

  it('serves the host status endpoint', async () => {
    expect(await (await fetch(`${host.url}/admin/host/status`)).json()).toMatchObject({ state: 'Running' });
  });

  it('on SIGTERM lets an in-flight request finish, refuses new ones, runs appTerminate and exits 0', async () => {
    const inFlight = fetch(`${host.url}/api/slow?ms=1500`);
    await host.waitForLog((r) => r.function === 'slow' && r.msg.startsWith('Executing'));
    const exitCode = host.stop('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('finished');
    await expect(fetch(`${host.url}/api/items`)).rejects.toThrow();
    expect(await exitCode).toBe(0);
    expect(existsSync(terminateMarker) && readFileSync(terminateMarker, 'utf8')).toBe('terminated');
  });
});
