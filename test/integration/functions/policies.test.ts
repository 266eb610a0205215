import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { HostProcess } from '../../support/hostProcess.js';
import { startQuiesceHost } from '../../support/quiesceHost.js';

const policy = {
  schedule: { cron: '0 2 * * *', timeZone: 'Europe/Paris' },
  targets: { resourceGroups: ['/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/prod-sql'] },
  retention: { keepLast: 7, keepDays: 30 },
};

describe('the policies API of the Quiesce app, through the local host and Azurite', () => {
  let host: HostProcess;
  const url = (path: string) => `${host.url}/api/${path}`;
  const put = (name: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url(`policies/${name}`), {
      method: 'PUT',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers,
    });

  beforeAll(async () => {
    host = await startQuiesceHost();
  });
  afterAll(() => host.stop('SIGKILL'));

  it('creates a policy with its defaults filled in and an ETag, then replaces it', async () => {
    const created = await put('prod-sql', policy);
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      name: 'prod-sql',
      enabled: true,
      maxParallelVms: 20,
      retention: { keepLast: 7, keepDays: 30, minimumKept: 2 },
    });
    expect(created.headers.get('etag')).toBeTruthy();
    const replaced = await put('prod-sql', { ...policy, maxParallelVms: 5 });
    expect(replaced.status).toBe(200);
    expect(((await replaced.json()) as { maxParallelVms: number }).maxParallelVms).toBe(5);
  });

  it('reads one policy and lists them all', async () => {
    await put('prod-web', { ...policy, targets: { tags: { tier: 'web' } } });
    const one = await fetch(url('policies/prod-sql'));
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ name: 'prod-sql', maxParallelVms: 5 });
    const all = (await (await fetch(url('policies'))).json()) as { policies: { name: string }[] };
    expect(all.policies.map((p) => p.name)).toEqual(['prod-sql', 'prod-web']);
  });

  it('answers 400 with the zod issues, and saves nothing', async () => {
    const response = await put('broken', { ...policy, guestProcessing: { maxFrozenSeconds: 600 }, retention: {} });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string; issues: { path: string[] }[] } };
    expect(body.error.code).toBe('InvalidRequest');
    expect(body.error.message).toContain('guestProcessing.maxFrozenSeconds');
    expect(body.error.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['guestProcessing.maxFrozenSeconds', 'retention']),
    );
    expect((await fetch(url('policies/broken'))).status).toBe(404);
  });

  it('answers 400 for a body that is not JSON and for a name that differs from the URL', async () => {
    const notJson = await put('prod-sql', '{nope');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('InvalidJson');
    const mismatch = await put('prod-sql', { ...policy, name: 'other-name' });
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as { error: { code: string } }).error.code).toBe('NameMismatch');
  });

  it('honours If-Match: a stale ETag gets 412 and changes nothing', async () => {
    const current = await fetch(url('policies/prod-sql'));
    const etag = current.headers.get('etag') ?? '';
    expect((await put('prod-sql', { ...policy, maxParallelVms: 6 }, { 'if-match': etag })).status).toBe(200);
    const stale = await put('prod-sql', { ...policy, maxParallelVms: 7 }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(((await (await fetch(url('policies/prod-sql'))).json()) as { maxParallelVms: number }).maxParallelVms).toBe(
      6,
    );
  });

  it('deletes a policy, then answers 404 for it', async () => {
    expect((await fetch(url('policies/prod-web'), { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(url('policies/prod-web'), { method: 'DELETE' })).status).toBe(404);
    const missing = await fetch(url('policies/prod-web'));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'NotFound', message: 'No policy named "prod-web".' } });
  });
});
