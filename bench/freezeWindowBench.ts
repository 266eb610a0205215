import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createLoopFilesystem, type LoopFilesystem, loopFilesystemUnavailable } from '../local/stack/loopFilesystem.js';
import { type StackRun, startQuiesceStack } from '../local/stack/quiesceStack.js';
import {
  type AgentMoments,
  type FreezeSample,
  freezeSample,
  frozenAlongside,
  SEGMENTS,
  type SimSnapshot,
} from './freezeWindowSample.js';
import { cpuDelta, cpuSecondsByKind, quantile, round } from './stats.js';

/**
 * Freeze window benchmark (issue 6): the whole local stack (Azurite, the ARM simulator CLI with its default latency
 * model and throttling, one real agent process per VM with its default polling, the app in the local Functions host),
 * on-demand backups of every VM, and each VM's freeze window (as the agent measured it) against the slowest of its
 * disks' snapshot operations as the simulator ran them; the hops in between from the run's evidence, the VM's
 * orchestration history and its agent's log (see freezeWindowSample.ts).
 * Run: npm run bench:freeze   (BENCH_VMS=10, BENCH_WINDOWS_VMS=2, BENCH_RUNS=12, BENCH_DATA_DISKS=2,
 * BENCH_PAUSE_SECONDS=15; BENCH_FSFREEZE=0 for scripts only, BENCH_THROTTLE=0 to turn the simulator's ARM throttling off)
 */
const VMS = Number(process.env.BENCH_VMS ?? 10);
const WINDOWS_VMS = Math.min(VMS, Number(process.env.BENCH_WINDOWS_VMS ?? 2));
const RUNS = Number(process.env.BENCH_RUNS ?? 12);
const DATA_DISKS = Number(process.env.BENCH_DATA_DISKS ?? 2);
const THROTTLE = process.env.BENCH_THROTTLE !== '0';
/** Between runs ARM's read bucket refills (25/s), as between a policy's runs; 0 runs them back to back. */
const PAUSE_SECONDS = Number(process.env.BENCH_PAUSE_SECONDS ?? 15);
const WARMUP_RUNS = 1;
/** Bands of "other VMs frozen alongside" (mean over the window) to compare overheads at equal load. */
const OVERLAP_BANDS = [
  [0, 2],
  [2, 4],
  [4, Number.POSITIVE_INFINITY],
] as const;
const SUBSCRIPTION = '5a3c1e2f-4b6d-4e8f-9a0b-1c2d3e4f5a6b';
const RG = 'rg-bench';
const loopUnavailable = process.env.BENCH_FSFREEZE === '0' ? 'BENCH_FSFREEZE=0' : loopFilesystemUnavailable();

const scripts = await mkdtemp(path.join(os.tmpdir(), 'quiesce-freeze-bench-'));
for (const name of ['pre.sh', 'post.sh']) {
  await writeFile(path.join(scripts, name), '#!/bin/sh\nexit 0\n');
  await chmod(path.join(scripts, name), 0o755);
}
const linuxVms = VMS - WINDOWS_VMS;
const loops: LoopFilesystem[] = [];
if (!loopUnavailable) for (let i = 0; i < linuxVms; i++) loops.push(await createLoopFilesystem());
const disks = {
  os: { sizeGB: 64, sku: 'Premium_LRS' },
  data: Array.from({ length: DATA_DISKS }, () => ({ sizeGB: 256, sku: 'Premium_LRS' })),
};
const vms = Array.from({ length: VMS }, (_, i) => {
  const windows = i >= linuxVms;
  const loop = loops[i];
  return {
    name: windows ? `win-${i - linuxVms + 1}` : `lin-${i + 1}`,
    resourceGroup: RG,
    os: windows ? 'windows' : 'linux',
    disks,
    agent: { installed: true, scriptsDir: scripts, ...(loop ? { freezeMounts: [loop.mountPoint] } : {}) },
  };
});

// The simulator's own defaults: snapshot operations start 0.5–1.5 s after the 202 and run 0.2–0.8 s; ARM throttling on.
const simulator = THROTTLE ? {} : { throttle: { enabled: false } };
const stack = await startQuiesceStack({ subscriptionId: SUBSCRIPTION, vms, simulator }, { name: 'bench' }).catch(
  async (error: unknown) => {
    await cleanUp();
    throw error;
  },
);
try {
  const request = {
    vmIds: vms.map((vm) => stack.vmId(RG, vm.name)),
    overrides: {
      guestProcessing: {
        linux: {
          preScript: { path: 'pre.sh' },
          postScript: { path: 'post.sh' },
          fsfreeze: { enabled: loops.length > 0, mounts: [] },
        },
      },
      // Full snapshots: a disk takes at most 7 incremental ones per 5 minutes, fewer than this benchmark's runs.
      snapshot: { incremental: false },
    },
  };
  const runs: StackRun[] = [];
  const loadBefore = os.loadavg();
  let cpuBefore: Record<string, number> = {};
  let runSeconds = 0;
  for (let i = 0; i < WARMUP_RUNS + RUNS; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, PAUSE_SECONDS * 1000));
    const cpuAtStart = await cpuSecondsByKind(stackProcessKind);
    if (i === WARMUP_RUNS) cpuBefore = cpuAtStart;
    const startedAt = performance.now();
    const run = await stack.backup(request, 300_000);
    if (i >= WARMUP_RUNS) {
      runs.push(run);
      runSeconds += (performance.now() - startedAt) / 1000;
    }
  }
  // CPU over the measured runs and the pauses between them (idle agents poll every few seconds then).
  const cpuDuringRuns = cpuDelta(cpuBefore, await cpuSecondsByKind(stackProcessKind));
  const loadAfter = os.loadavg();

  const simSnapshots = new Map(
    ((await stack.sim.call('GET', '/_sim/snapshots')).body as { value: SimSnapshot[] }).value.map((s) => [
      s.id.toLowerCase(),
      s,
    ]),
  );
  const samples: FreezeSample[] = [];
  const excluded: { runId: string; vm: string; consistency: string; reason: string }[] = [];
  for (const run of runs) {
    for (const result of run.results) {
      const history = await stack.api('GET', `runs/${run.runId}/vms/${result.vmName}/history`);
      const moments = await agentMoments(stack.sim.dataDir, result.vmName, run.runId);
      const sample = freezeSample(
        run.runId,
        result,
        simSnapshots,
        (history.body.history ?? []) as Record<string, unknown>[],
        moments,
      );
      if (sample) samples.push(sample);
      else
        excluded.push({
          runId: run.runId,
          vm: result.vmName,
          consistency: result.consistency,
          reason: result.reason,
        });
    }
  }
  const simStats = (await stack.sim.call('GET', '/_sim/stats')).body;
  const alongside = samples.map((s) => frozenAlongside(s, samples));

  process.stdout.write(
    `${JSON.stringify(
      {
        setup: {
          vms: VMS,
          windowsVms: WINDOWS_VMS,
          disksPerVm: 1 + DATA_DISKS,
          runs: RUNS,
          warmupRuns: WARMUP_RUNS,
          armThrottling: THROTTLE,
          pauseBetweenRunsSeconds: PAUSE_SECONDS,
          linuxQuiesce: loops.length > 0 ? 'pre/post scripts + fsfreeze (loop-mounted image)' : 'pre/post scripts',
          ...(loopUnavailable ? { fsfreezeSkipped: loopUnavailable } : {}),
        },
        samples: samples.length,
        excluded,
        freezeWindowMs: summary(samples.map((s) => s.freezeWindowMs)),
        baselineMs: summary(samples.map((s) => s.baselineMs)),
        overheadMs: summary(samples.map((s) => s.overheadMs)),
        baselineAfterAcceptMs: summary(samples.map((s) => s.baselineAfterAcceptMs)),
        overheadAfterAcceptMs: summary(samples.map((s) => s.overheadAfterAcceptMs)),
        overheadByQuiesce: Object.fromEntries(
          [...new Set(samples.map((s) => s.quiesce))].map((kind) => {
            const of = samples.filter((s) => s.quiesce === kind).map((s) => s.overheadMs);
            return [kind, { samples: of.length, ...summary(of) }];
          }),
        ),
        segmentsMs: Object.fromEntries(
          SEGMENTS.map((segment) => [segment, summary(samples.map((s) => s.segments[segment]))]),
        ),
        armAcceptMs: summary(samples.map((s) => s.armAcceptMs)),
        unaccountedMs: summary(samples.map((s) => s.unaccountedMs)),
        otherVmsFrozenAlongside: summary(alongside, 1),
        // The same overhead at equal sharing of the cores: runs whose windows overlap more load each other more.
        overheadByVmsFrozenAlongside: Object.fromEntries(
          OVERLAP_BANDS.map(([low, high]) => {
            const inBand = (value = 0) => value >= low && value < high;
            const of = samples.filter((_, i) => inBand(alongside[i]));
            const label = high === Number.POSITIVE_INFINITY ? `${low} or more` : `${low} to ${high}`;
            return [label, { samples: of.length, ...summary(of.map((s) => s.overheadMs)) }];
          }),
        ),
        simulator: simStats,
        cpuSeconds: { measuredRunsSeconds: round(runSeconds, 1), byProcess: cpuDuringRuns },
        machine: {
          cpus: os.cpus().length,
          node: process.version,
          loadAverage1m: { before: round(loadBefore[0] ?? 0, 1), after: round(loadAfter[0] ?? 0, 1) },
        },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await stack.stop();
  await cleanUp();
}

/** The stack's processes by their command lines (agents with the freeze holders, scripts and helpers they reaped). */
function stackProcessKind(commandLine: string): string | undefined {
  if (commandLine.includes('azurite')) return 'azurite';
  if (commandLine.includes('local/arm/cli')) return 'simulator';
  if (commandLine.includes('local/host/cli')) return 'host';
  if (commandLine.includes('quiesce-agent')) return 'agents';
  return undefined;
}

async function cleanUp(): Promise<void> {
  for (const loop of loops) await loop.destroy();
  await rm(scripts, { recursive: true, force: true });
}

function summary(values: number[], digits = 0) {
  const known = values.filter((v) => Number.isFinite(v));
  return {
    p50: round(quantile(known, 0.5), digits),
    p90: round(quantile(known, 0.9), digits),
    p99: round(quantile(known, 0.99), digits),
    max: round(Math.max(...known), digits),
    mean: round(known.reduce((a, b) => a + b, 0) / known.length, digits),
  };
}

/** From the VM's agent log: when it sent this run's `frozen` reply and when it took the thaw command. */
async function agentMoments(dataDir: string, vm: string, runId: string): Promise<AgentMoments> {
  const text = await readFile(path.join(dataDir, 'agents', vm, 'agent.log'), 'utf8');
  const moments: AgentMoments = {};
  for (const line of text.split('\n')) {
    if (!line.includes(runId)) continue;
    const record = JSON.parse(line) as { msg?: string; type?: string; runId?: string; time?: number };
    if (record.runId !== runId) continue;
    if (record.msg === 'reply sent' && record.type === 'frozen') moments.frozenReplySentAt = record.time;
    if (record.msg === 'command accepted' && record.type === 'thaw') moments.thawAcceptedAt = record.time;
  }
  return moments;
}
