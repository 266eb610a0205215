import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { ComputeManagementClient } from '@azure/arm-compute';

import { armClientOptions } from '../shared/clients/armClientOptions.js';
import { LocalTokenCredential } from '../shared/clients/LocalTokenCredential.js';
import { quantile, round } from './stats.js';

/**
 * ARM simulator at fleet scale (issue 4): 5,000 VMs with 15,000 disks. Lists with nextLink paging end to end through
 * the real @azure/arm-compute client, GET latency on loopback at 16 concurrent callers, and the simulator's RSS.
 * Latency model off (--latency-scale 0) and throttling off (--no-throttle), so the figures are the simulator's own cost.
 * Run: npm run bench:arm   (BENCH_VMS, BENCH_PAGE_SIZE (default 1000), BENCH_GETS change the run)
 */
const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VMS = Number(process.env.BENCH_VMS ?? 5000);
const GETS = Number(process.env.BENCH_GETS ?? 5000);
const CONCURRENCY = 16;
const PAGE_SIZE = Number(process.env.BENCH_PAGE_SIZE ?? 1000);

const folder = await mkdtemp(path.join(os.tmpdir(), 'quiesce-arm-bench-'));
const fleetFile = path.join(folder, 'fleet.json');
const vms = Array.from({ length: VMS }, (_, i) => ({
  name: `vm-${String(i).padStart(5, '0')}`,
  resourceGroup: `rg-${String(i % 50).padStart(2, '0')}`,
  os: i % 3 === 0 ? 'windows' : 'linux',
  tags: { env: i % 2 === 0 ? 'prod' : 'test', backup: 'nightly' },
  disks: { data: [{ sizeGB: 128 }, { sizeGB: 256 }] },
}));
await writeFile(fleetFile, JSON.stringify({ simulator: { pageSize: PAGE_SIZE }, vms }));

const startedAt = performance.now();
const child = spawn(
  process.execPath,
  [
    path.join(projectDir, 'dist/local/arm/cli.js'),
    '--fleet',
    fleetFile,
    '--port',
    '0',
    '--latency-scale',
    '0',
    '--no-throttle',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const ready = await new Promise<{ endpoint: string; caCertPath: string; subscriptionId: string }>((resolve) => {
  createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line) as never));
});
const startupMs = performance.now() - startedAt;

const rssMb = async (): Promise<number> => {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
};

try {
  const compute = new ComputeManagementClient(
    new LocalTokenCredential('bench'),
    ready.subscriptionId,
    armClientOptions(ready),
  );
  const rssAtStart = await rssMb();

  const listed: Record<string, unknown> = {};
  for (const [label, pages] of [
    ['vms (listAll)', () => compute.virtualMachines.listAll().byPage()],
    ['disks (list)', () => compute.disks.list().byPage()],
  ] as const) {
    const t0 = performance.now();
    let count = 0;
    let pageCount = 0;
    for await (const page of pages()) {
      pageCount += 1;
      count += page.length;
    }
    listed[label] = { items: count, pages: pageCount, ms: round(performance.now() - t0) };
  }

  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < GETS) {
        const vm = vms[next % vms.length];
        next += 1;
        if (!vm) break;
        const s = performance.now();
        await compute.virtualMachines.get(vm.resourceGroup, vm.name, { expand: 'instanceView' });
        latencies.push(performance.now() - s);
      }
    }),
  );
  const getSeconds = (performance.now() - t0) / 1000;

  console.log(
    JSON.stringify(
      {
        fleet: { vms: VMS, disks: VMS * 3, pageSize: PAGE_SIZE },
        startupMs: round(startupMs),
        list: listed,
        vmGetWithInstanceView: {
          requests: latencies.length,
          concurrency: CONCURRENCY,
          perSecond: round(latencies.length / getSeconds),
          p50Ms: round(quantile(latencies, 0.5), 2),
          p99Ms: round(quantile(latencies, 0.99), 2),
          maxMs: round(Math.max(...latencies), 2),
        },
        simulatorRssMb: { afterStart: round(rssAtStart), afterBench: round(await rssMb()) },
      },
      undefined,
      2,
    ),
  );
} finally {
  child.kill('SIGTERM');
}
