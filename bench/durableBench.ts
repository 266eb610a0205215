import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { startAzurite } from '../local/azurite/startAzurite.js';
import { quantile, round } from './stats.js';

/**
 * Durable engine benchmarks (issue 3), persistence on (Azurite on disk), the app's own host.json:
 * chain of 100 activities, fan-out of 1,000, 1,000 orchestrations × 5 activities, external event latency.
 * Run: npm run bench:durable
 */
const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const appDir = path.join(projectDir, 'bench/apps/durable-bench');
const PARALLEL_INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1000);

interface HistoryRow {
  EventType: string;
  Timestamp: string;
  ScheduledTime?: string;
}

await copyFile(path.join(projectDir, 'host.json'), path.join(appDir, 'host.json'));
const dataDir = await mkdtemp(path.join(tmpdir(), 'durable-bench-'));
const azurite = await startAzurite({ location: dataDir });
const host = await startHost();
const api = (route: string, init?: RequestInit) => fetch(`${host.url}/durabletask/${route}`, init);
const results: Record<string, unknown> = {};

const progress = (step: string) => process.stderr.write(`durable bench: ${step}\n`);
try {
  progress('chain of 100');
  results.chain100 = await chain(100);
  progress('fan-out of 1000');
  results.fanOut1000 = await fanOut(1000);
  progress(`${PARALLEL_INSTANCES} orchestrations x 5 activities`);
  results.parallel = await parallelOrchestrations(PARALLEL_INSTANCES);
  progress('external event latency');
  results.externalEvents = await eventLatency(200);
  results.hostPeakRssMb = await peakRssMb(host.child.pid ?? 0);
  results.machine = { cpus: (await import('node:os')).availableParallelism(), node: process.version };
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} finally {
  host.child.kill('SIGTERM');
  await new Promise((resolve) => host.child.once('exit', resolve));
  await azurite.stop();
  await rm(dataDir, { recursive: true, force: true });
}

async function start(name: string, id: string, input: unknown): Promise<void> {
  const response = await api(`orchestrators/${name}/${id}`, { method: 'POST', body: JSON.stringify(input) });
  if (response.status !== 202) throw new Error(`start ${id}: ${response.status} ${await response.text()}`);
}

async function waitCompleted(id: string): Promise<{ output: unknown; historyEvents: HistoryRow[] }> {
  for (;;) {
    const response = await api(`instances/${id}?showHistory=true&showHistoryOutput=true`);
    const status = (await response.json()) as { runtimeStatus: string; output: unknown; historyEvents: HistoryRow[] };
    if (status.runtimeStatus === 'Completed') return status;
    if (status.runtimeStatus === 'Failed') throw new Error(`${id} failed: ${JSON.stringify(status.output)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Time per step = between the completions of consecutive activities, read from history (ms timestamps). */
async function chain(steps: number) {
  await start('chain', 'chain-warmup', 5);
  await waitCompleted('chain-warmup');
  await start('chain', 'chain-100', steps);
  const { historyEvents } = await waitCompleted('chain-100');
  const completions = historyEvents.filter((e) => e.EventType === 'TaskCompleted').map((e) => Date.parse(e.Timestamp));
  const stepMs = completions.slice(1).map((t, i) => t - (completions[i] ?? t));
  const total = span(historyEvents);
  return {
    steps,
    totalMs: total,
    p50StepMs: quantile(stepMs, 0.5),
    p99StepMs: quantile(stepMs, 0.99),
    meanStepMs: round(total / steps),
  };
}

async function fanOut(count: number) {
  await start('fanOut', 'fan-1000', count);
  const { historyEvents } = await waitCompleted('fan-1000');
  return { activities: count, totalMs: span(historyEvents) };
}

/** Many orchestrations at once; activities/s from the first start to the last completion. */
async function parallelOrchestrations(count: number) {
  const startedAt = Date.now();
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) => start('fiveSteps', `p-${i + j}`, null)),
    );
  }
  const acceptedMs = Date.now() - startedAt;
  let lastCompletion = 0;
  for (let i = 0; i < count; i++) {
    const { historyEvents } = await waitCompleted(`p-${i}`);
    lastCompletion = Math.max(lastCompletion, Date.parse(historyEvents.at(-1)?.Timestamp ?? '0'));
  }
  const seconds = (lastCompletion - startedAt) / 1000;
  return {
    orchestrations: count,
    activities: count * 5,
    startsAcceptedMs: acceptedMs,
    totalSeconds: round(seconds, 2),
    activitiesPerSecond: round((count * 5) / seconds, 0),
  };
}

/** Raise → the orchestrator resumes: its episode's currentUtcDateTime minus the time just before the raise call. */
async function eventLatency(count: number) {
  await start('pingPong', 'ping', count);
  await waitForCustomStatus('ping', null);
  const raisedAt: number[] = [];
  for (let i = 0; i < count; i++) {
    raisedAt.push(Date.now());
    const response = await api('instances/ping/raiseEvent/ping', { method: 'POST', body: '1' });
    if (response.status !== 202) throw new Error(`raise: ${response.status}`);
    await waitForCustomStatus('ping', i + 1);
  }
  const { output } = await waitCompleted('ping');
  const latencies = (output as number[]).map((resumed, i) => resumed - (raisedAt[i] ?? resumed));
  return {
    events: count,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: Math.max(...latencies),
  };
}

async function waitForCustomStatus(id: string, value: unknown): Promise<void> {
  for (;;) {
    const status = (await (await api(`instances/${id}`)).json()) as { customStatus: unknown; runtimeStatus: string };
    if (status.customStatus === value && status.runtimeStatus !== 'Pending') return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function span(history: HistoryRow[]): number {
  return Date.parse(history.at(-1)?.Timestamp ?? '0') - Date.parse(history[0]?.Timestamp ?? '0');
}

async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return round(kb / 1024, 0);
}

async function startHost(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [path.join(projectDir, 'dist/local/host/cli.js'), '--app', appDir, '--port', '0'],
    {
      env: {
        ...process.env,
        AzureWebJobsStorage: azurite.connectionString,
        // The app's host.json names its task hub by this setting.
        QUIESCE_TASK_HUB: 'DurableBench',
        AzureFunctionsJobHost__logging__logLevel__default: 'Warning',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  return { child, url: (JSON.parse(line) as { url: string }).url };
}
