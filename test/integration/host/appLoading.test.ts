import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  eventually,
  HOST_CLI,
  type HostProcess,
  PROJECT_DIR,
  startHostProcess,
  uniqueName,
} from '../../support/hostProcess.js';

const CJS_APP = path.join(PROJECT_DIR, 'test/fixtures/app-cjs');

describe('loading a CommonJS app configured by local.settings.json', () => {
  const inboxQueue = uniqueName('inbox');
  let host: HostProcess;

  beforeAll(async () => {
    const settings = {
      IsEncrypted: false,
      Values: {
        AzureWebJobsStorage: inject('azuriteConnectionString'),
        INBOX_QUEUE: inboxQueue,
        GREETING_SUFFIX: 'from settings',
      },
    };
    await writeFile(path.join(CJS_APP, 'local.settings.json'), JSON.stringify(settings));
    const env: Record<string, string | undefined> = { ...process.env, GREETING_SUFFIX: 'from the environment' };
    delete env.AzureWebJobsStorage;
    host = await startHostProcess(CJS_APP, env);
  });
  afterAll(async () => {
    await host.stop('SIGKILL');
    await rm(path.join(CJS_APP, 'local.settings.json'), { force: true });
  });

  it('registers every function of the app and lists them in the ready line', () => {
    expect(host.functions.map((f) => `${f.name}:${f.trigger}`).sort()).toEqual([
      'greet:http',
      'inbox:queue',
      'received:http',
    ]);
  });

  it('lets an environment variable win over local.settings.json, and says so', async () => {
    expect(await (await fetch(`${host.url}/api/greet/bob`)).text()).toBe('hello bob (from the environment)');
    expect(host.logs.some((r) => r.msg.includes("Skipping 'GREETING_SUFFIX'"))).toBe(true);
    expect((await fetch(`${host.url}/api/greet/b0b`)).status).toBe(404);
  });

  it('reads AzureWebJobsStorage and %setting% queue names from local.settings.json', async () => {
    const queue = QueueServiceClient.fromConnectionString(inject('azuriteConnectionString')).getQueueClient(inboxQueue);
    await queue.createIfNotExists();
    await queue.sendMessage(Buffer.from('plain text message').toString('base64'));
    const received = await eventually(
      async () => (await (await fetch(`${host.url}/api/received`)).json()) as unknown[],
      (r) => r.length > 0,
    );
    expect(received).toEqual(['plain text message']);
  });
});

describe('refusing apps it cannot host', () => {
  let emptyApp: string;
  beforeAll(async () => {
    emptyApp = await mkdtemp(path.join(tmpdir(), 'empty-app-'));
    await writeFile(path.join(emptyApp, 'package.json'), JSON.stringify({ name: 'empty', main: 'dist/*.js' }));
  });
  afterAll(() => rm(emptyApp, { recursive: true, force: true }));

  it('exits 1 with a clear message when package.json "main" matches no file', async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, [HOST_CLI, '--app', emptyApp, '--port', '0'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('package.json "main" (dist/*.js) matches no file');
  });

  it('rejects a bad --port before starting', async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, [HOST_CLI, '--app', emptyApp, '--port', 'eighty'], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('a port is 0-65535');
  });
});
