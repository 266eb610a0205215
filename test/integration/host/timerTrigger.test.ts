import path from 'node:path';

import { BlobServiceClient } from '@azure/storage-blob';
import { afterEach, describe, expect, inject, it } from 'vitest';

import { eventually, type HostProcess, PROJECT_DIR, startHostProcess, uniqueName } from '../../support/hostProcess.js';

const APP = path.join(PROJECT_DIR, 'test/fixtures/app-timers');

interface TimerRun {
  name: string;
  at: string;
  isPastDue: boolean;
  scheduleStatus: { last: string | null; next: string; lastUpdated: string } | null;
}

describe('timer triggers through the local host', () => {
  const connectionString = inject('azuriteConnectionString');
  const hosts = BlobServiceClient.fromConnectionString(connectionString).getContainerClient('azure-webjobs-hosts');
  const started: HostProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((h) => h.stop('SIGKILL')));
  });

  async function startTimers(hostId: string): Promise<HostProcess> {
    const host = await startHostProcess(APP, {
      AzureWebJobsStorage: connectionString,
      AzureFunctionsWebHost__hostid: hostId,
      FIVE_MINUTE_SCHEDULE: '0 */5 * * * *',
    });
    started.push(host);
    return host;
  }
  const runsOf = async (host: HostProcess, name: string) =>
    ((await (await fetch(`${host.url}/api/runs`)).json()) as TimerRun[]).filter((r) => r.name === name);
  const statusBlob = (hostId: string, fn: string) =>
    hosts.getBlockBlobClient(`timers/${hostId}/Host.Functions.${fn}/status`);

  it('fires an NCRONTAB schedule on its second boundaries, not past due', async () => {
    const host = await startTimers(uniqueName('tick'));
    const runs = await eventually(
      () => runsOf(host, 'everyTwoSeconds'),
      (r) => r.length >= 2,
      10_000,
    );
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs) {
      expect(run.isPastDue).toBe(false);
      expect(new Date(run.at).getUTCSeconds() % 2).toBe(0);
      expect(new Date(run.at).getUTCMilliseconds()).toBeLessThan(500);
      expect(run.scheduleStatus).toBeNull(); // the monitor is off for schedules under a minute
    }
  });

  it('runs a runOnStartup timer once at start, not past due', async () => {
    const host = await startTimers(uniqueName('startup'));
    const runs = await eventually(
      () => runsOf(host, 'onStartup'),
      (r) => r.length >= 1,
      5_000,
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]?.isPastDue).toBe(false);
  });

  it('runs a past-due occurrence at start from the persisted schedule status, then saves the new status', async () => {
    const hostId = uniqueName('pastdue');
    const now = Date.now();
    const fiveMinutes = 5 * 60_000;
    const lastRun = Math.floor((now - 12 * 60_000) / fiveMinutes) * fiveMinutes;
    const recorded = {
      Last: new Date(lastRun).toISOString(),
      Next: new Date(lastRun + fiveMinutes).toISOString(),
      LastUpdated: new Date(lastRun).toISOString(),
    };
    await hosts.createIfNotExists();
    const body = JSON.stringify(recorded);
    await statusBlob(hostId, 'everyFiveMinutes').upload(body, body.length);

    const host = await startTimers(hostId);
    const runs = await eventually(
      () => runsOf(host, 'everyFiveMinutes'),
      (r) => r.length >= 1,
      10_000,
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ isPastDue: true, scheduleStatus: { last: recorded.Last, next: recorded.Next } });

    const saved = JSON.parse(
      (await statusBlob(hostId, 'everyFiveMinutes').downloadToBuffer()).toString(),
    ) as typeof recorded;
    expect(saved.Last).toBe(recorded.Next);
    expect(new Date(saved.Next).getTime()).toBeGreaterThan(now);
    expect(new Date(saved.Next).getUTCMinutes() % 5).toBe(0);

    // A restarted host reads that status: nothing is past due any more, so nothing runs at start.
    await host.stop('SIGTERM');
    const restarted = await startTimers(hostId);
    await eventually(
      () => runsOf(restarted, 'onStartup'),
      (r) => r.length >= 1,
      5_000,
    );
    expect(await runsOf(restarted, 'everyFiveMinutes')).toHaveLength(0);
  });

  it('lets only the holder of the listener lock run a timer when two hosts share storage and a host id', async () => {
    const hostId = uniqueName('shared');
    const first = await startTimers(hostId);
    await eventually(
      () => runsOf(first, 'everyTwoSeconds'),
      (r) => r.length >= 1,
      10_000,
    );
    const second = await startTimers(hostId);
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect((await runsOf(first, 'everyTwoSeconds')).length).toBeGreaterThanOrEqual(2);
    expect(await runsOf(second, 'everyTwoSeconds')).toHaveLength(0);
  });
});
