import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { applyLocalSettings, resolveSettingExpressions } from '../../../../../local/host/app/appSettings.js';
import { readHostJson } from '../../../../../local/host/app/hostJson.js';
import { formatTimeSpan, parseTimeSpanMs } from '../../../../../local/host/app/timeSpan.js';

async function appWith(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'host-json-'));
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), JSON.stringify(content));
  return dir;
}

describe('readHostJson', () => {
  it('fills the Functions defaults when host.json is missing', async () => {
    const hostJson = await readHostJson(await appWith({}));
    expect(hostJson.extensions.http.routePrefix).toBe('api');
    expect(hostJson.extensions.queues).toMatchObject({
      messageEncoding: 'base64',
      maxPollingIntervalMs: 60_000,
      batchSize: 16,
      newBatchThreshold: 8,
      maxDequeueCount: 5,
      visibilityTimeout: 0,
    });
  });

  it('reads TimeSpans and keeps polling at or above 100 ms', async () => {
    const hostJson = await readHostJson(
      await appWith({
        'host.json': { version: '2.0', extensions: { queues: { maxPollingInterval: '00:00:00.050', batchSize: 4 } } },
      }),
    );
    expect(hostJson.extensions.queues.maxPollingIntervalMs).toBe(100);
    expect(hostJson.extensions.queues.newBatchThreshold).toBe(2);
  });

  it('names every problem of an invalid host.json', async () => {
    const dir = await appWith({
      'host.json': { version: '1.0', extensions: { queues: { batchSize: 64, maxPollingInterval: 'soon' } } },
    });
    const message = await readHostJson(dir).then(
      () => '',
      (error: unknown) => (error as Error).message,
    );
    expect(message).toContain('"version": "2.0"');
    expect(message).toContain('"soon" is not a TimeSpan');
    expect(message).toMatch(/expected number to be <=32\n\s+→ at extensions\.queues\.batchSize/);
  });
});

describe('app settings', () => {
  it('applies local.settings.json Values under environment variables that are already set', async () => {
    const dir = await appWith({
      'local.settings.json': { IsEncrypted: false, Values: { A: 'file', B: 'file', N: 3 } },
    });
    const env: NodeJS.ProcessEnv = { B: 'environment' };
    expect(await applyLocalSettings(dir, env)).toEqual(['B']);
    expect(env).toEqual({ A: 'file', B: 'environment', N: '3' });
  });

  it('resolves %setting% expressions and names a missing setting', () => {
    expect(resolveSettingExpressions('%Q%-poison', { Q: 'replies' })).toBe('replies-poison');
    expect(() => resolveSettingExpressions('%MISSING%', {})).toThrow(/"MISSING"/);
  });
});

describe('TimeSpan', () => {
  it('parses and formats .NET TimeSpan text', () => {
    expect(parseTimeSpanMs('00:00:00.500')).toBe(500);
    expect(parseTimeSpanMs('1.02:03:04')).toBe(((26 * 60 + 3) * 60 + 4) * 1000);
    expect(formatTimeSpan(93_784_000)).toBe('1.02:03:04');
    expect(() => parseTimeSpanMs('00:61:00')).toThrow(/minutes/);
  });
});
