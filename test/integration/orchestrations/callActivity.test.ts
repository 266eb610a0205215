import path from 'node:path';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { historyOf, waitForInstance } from '../../support/durableApp.js';
import { type HostProcess, PROJECT_DIR, startHostProcess, uniqueName } from '../../support/hostProcess.js';

/** Activity contracts through the real durable host: both ends are parsed, so history holds only what they say. */
describe('callActivity and registerActivity', () => {
  let host: HostProcess;
  const start = (name: string, id: string, input: unknown) =>
    fetch(`${host.url}/durabletask/orchestrators/${name}/${id}`, { method: 'POST', body: JSON.stringify(input) });
  beforeAll(async () => {
    host = await startHostProcess(path.join(PROJECT_DIR, 'test/fixtures/app-contracts'), {
      AzureWebJobsStorage: inject('azuriteConnectionString'),
      TASK_HUB: uniqueName('contracts').replace(/-/g, ''),
    });
  });
  afterAll(() => host.stop('SIGKILL'));

  it('returns the parsed output, defaults included', async () => {
    await start('useDouble', 'double-ok', { n: 21 });
    expect(await waitForInstance(host, 'double-ok')).toMatchObject({
      runtimeStatus: 'Completed',
      output: { doubled: 42, unit: 'items' },
    });
  });

  it('fails the orchestration before scheduling anything when the input breaks the contract', async () => {
    await start('useDouble', 'double-bad', { n: 1.5 });
    const status = await waitForInstance(host, 'double-bad');
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toContain('expected int');
    expect((await historyOf(host, 'double-bad')).map((e) => e.EventType)).toEqual([
      'ExecutionStarted',
      'ExecutionCompleted',
    ]);
  });

  it('fails the activity when its implementation returns what the contract does not allow', async () => {
    await start('useLiar', 'liar', {});
    const status = await waitForInstance(host, 'liar');
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toMatch(/Activity function 'liar' failed: .*count/s);
  });
});
