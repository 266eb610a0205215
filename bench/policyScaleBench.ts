import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { stringify } from 'yaml';

import { startAzurite } from '../local/azurite/startAzurite.js';
import { exportPrivateKeyPem, generateSigningKeyPair } from '../shared/protocol/index.js';
import { cpuSeconds, round } from './stats.js';

/**
 * A policy over BENCH_VMS VMs × 3 disks (issue 6) through the whole local stack: Azurite, the ARM simulator (a child
 * process, its default latency model) with ARM's buckets refilled BENCH_REFILL_SCALE (10) times faster (writes 200
 * burst + 100/s, reads 250 + 250/s, deletes 200 + 100/s; 1 is ARM's own quota), and the app in the local host (a
 * child process). BENCH_NO_THROTTLE=1 turns the throttle off: the stack's own speed, the baseline. The VMs have no agent and guest
 * processing is off: what is measured is the fan-out against ARM's throttle, not the guest.
 * Makespan: the run's own record (started → ended). Lower bound: for each request class, (requests admitted − burst)
 * / refill, the largest of them. Back-offs: the simulator's time from each 429 to the retry of that same request.
 * Run: npm run bench:policy   (BENCH_VMS=1000, BENCH_PARALLEL=200; BENCH_PROFILE=<folder> profiles the host)
 */
const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VMS = Number(process.env.BENCH_VMS ?? 1000);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 200);
const SUBSCRIPTION = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
/** ARM's buckets per principal (reference §4.1) with their refill multiplied: 10 is the 200 burst + 100 writes/s. */
const REFILL_SCALE = Number(process.env.BENCH_REFILL_SCALE ?? 10);
const BUCKETS = {
  reads: { burst: 250, perSecond: 25 * REFILL_SCALE },
  writes: { burst: 200, perSecond: 10 * REFILL_SCALE },
  deletes: { burst: 200, perSecond: 10 * REFILL_SCALE },
};

interface SimStats {
  requests: number;
  throttled: number;
  abandoned: number;
  admitted: { read: number; write: number; delete: number };
  backoffs: { count: number; maxMs: number };
}

async function readyLine(child: ChildProcess, what: string): Promise<Record<string, unknown>> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not get ready:\n${stderr}`)), 60_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as Record<string, unknown>);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${stderr}`)));
  });
}

function simGet(endpoint: string, ca: string, pathAndQuery: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request(new URL(pathAndQuery, endpoint), { ca }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(JSON.parse(text)));
    })
      .on('error', reject)
      .end();
  });
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'quiesce-policy-bench-'));
const azurite = await startAzurite();
const vms = Array.from({ length: VMS }, (_, i) => ({
  name: `vm-${String(i).padStart(4, '0')}`,
  resourceGroup: `rg-${String(i % 20).padStart(2, '0')}`,
  os: i % 4 === 0 ? 'windows' : 'linux',
  tags: { backup: 'bench' },
  disks: { os: { sizeGB: 64 }, data: [{ sizeGB: 128 }, { sizeGB: 128 }] },
  agent: { installed: false },
}));
const fleetFile = path.join(dir, 'fleet.yaml');
const THROTTLED = process.env.BENCH_NO_THROTTLE !== '1';
const throttle = THROTTLED ? BUCKETS : { enabled: false };
await writeFile(fleetFile, stringify({ subscriptionId: SUBSCRIPTION, simulator: { throttle }, vms }));
// BENCH_PROFILE=<folder>: CPU profiles of the simulator and the host, written when they stop.
const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
const sim = spawn(
  process.execPath,
  [...profile, path.join(projectDir, 'dist/local/arm/cli.js'), '--fleet', fleetFile],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
const simReady = await readyLine(sim, 'the ARM simulator');
const endpoint = String(simReady.endpoint);
const caCertPath = String(simReady.caCertPath);
const { readFile } = await import('node:fs/promises');
const ca = await readFile(caCertPath, 'utf8');

const keyPath = path.join(dir, 'service-key.pem');
await writeFile(keyPath, exportPrivateKeyPem(generateSigningKeyPair().privateKey), { mode: 0o600 });
const host = spawn(
  process.execPath,
  [...profile, path.join(projectDir, 'dist/local/host/cli.js'), '--app', projectDir, '--port', '0'],
  {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AzureWebJobsStorage: azurite.connectionString,
      QUIESCE_TASK_HUB: 'PolicyBench',
      QUIESCE_ARM_ENDPOINT: endpoint,
      QUIESCE_ARM_CA_CERT_PATH: caCertPath,
      QUIESCE_ARM_CREDENTIAL: 'local',
      QUIESCE_SUBSCRIPTION_IDS: SUBSCRIPTION,
      QUIESCE_SERVICE_KEY_FILE: keyPath,
      QUIESCE_LOG_LEVEL: 'Warning',
    },
  },
);
const hostReady = await readyLine(host, 'the local host');
host.stdout?.resume();
const api = async (method: string, route: string, body?: unknown) => {
  const response = await fetch(`${String(hostReady.url)}/api/${route}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const policy = await api('PUT', 'policies/bench', {
  schedule: { cron: '0 3 * * *' },
  targets: { tags: { backup: 'bench' } },
  guestProcessing: { enabled: false },
  retention: { keepLast: 30 },
  maxParallelVms: PARALLEL,
});
if (policy.status >= 300) throw new Error(`PUT policy: ${JSON.stringify(policy.body)}`);
const before = (await simGet(endpoint, ca, '/_sim/stats')) as SimStats;
const processes = { host: host.pid ?? 0, azurite: azurite.pid, simulator: sim.pid ?? 0 };
const cpuOf = async (): Promise<Record<string, number>> =>
  Object.fromEntries(
    await Promise.all(Object.entries(processes).map(async ([k, pid]) => [k, await cpuSeconds(pid)] as const)),
  );
const cpuBefore = await cpuOf();
const started = await api('POST', 'backups', { policy: 'bench' });
if (started.status !== 202) throw new Error(`POST backups: ${JSON.stringify(started.body)}`);
const runId = String(started.body.runId);
// Polled through the run list (the run's own record), not GET runs/{id}: that one reads every VM's result, 1,000
// rows a second that load Azurite and the host beside the run they measure.
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const page = (await api('GET', 'runs?policy=bench&top=5')).body as { runs: { runId: string; status: string }[] };
  if (page.runs.find((r) => r.runId === runId)?.status !== 'Running') break;
}
const run = (await api('GET', `runs/${runId}`)).body;
const after = (await simGet(endpoint, ca, '/_sim/stats')) as SimStats;
const cpuAfter = await cpuOf();
const cpuDuringRunS = Object.fromEntries(
  Object.keys(processes).map((k) => [k, round((cpuAfter[k] ?? 0) - (cpuBefore[k] ?? 0), 1)]),
);

const admitted = {
  read: after.admitted.read - before.admitted.read,
  write: after.admitted.write - before.admitted.write,
  delete: after.admitted.delete - before.admitted.delete,
};
const boundOf = (count: number, bucket: { burst: number; perSecond: number }) =>
  Math.max(0, count - bucket.burst) / bucket.perSecond;
const bounds = {
  reads: round(boundOf(admitted.read, BUCKETS.reads), 2),
  writes: round(boundOf(admitted.write, BUCKETS.writes), 2),
  deletes: round(boundOf(admitted.delete, BUCKETS.deletes), 2),
};
const lowerBoundS = Math.max(bounds.reads, bounds.writes, bounds.deletes);
const makespanS = (Date.parse(String(run.endedAt)) - Date.parse(String(run.startedAt))) / 1000;
process.stdout.write(
  `${JSON.stringify(
    {
      vms: VMS,
      disks: VMS * 3,
      maxParallelVms: PARALLEL,
      throttle: THROTTLED ? BUCKETS : 'off',
      run: { status: run.status, counts: run.counts, reason: run.reason },
      makespanS: round(makespanS, 2),
      requestsAdmitted: admitted,
      lowerBoundS: { ...bounds, max: lowerBoundS },
      ratio: round(makespanS / lowerBoundS, 3),
      throttled: after.throttled - before.throttled,
      abandonedAfter429: after.abandoned,
      longestBackoffMs: after.backoffs.maxMs,
      backoffs: after.backoffs.count - before.backoffs.count,
      cpuDuringRunS,
    },
    null,
    2,
  )}\n`,
);
host.kill('SIGTERM');
await new Promise((resolve) => host.once('exit', resolve));
sim.kill('SIGTERM');
await new Promise((resolve) => sim.once('exit', resolve));
await azurite.stop();
process.exit(0);
