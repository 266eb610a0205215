import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { QueueServiceClient } from '@azure/storage-queue';
import autocannon from 'autocannon';

import { startAzurite } from '../local/azurite/startAzurite.js';
import { quantile, round } from './stats.js';

/**
 * Local host benchmarks (issue 2): HTTP trigger round trip at 16 concurrent clients against a bare Node server
 * doing the same work, and queue trigger latency (enqueue → handler start) busy and idle against a raw SDK poll loop.
 * Run: npm run bench:host
 */
const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const appDir = path.join(projectDir, 'bench/apps/host-bench');
const BASELINE_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const match = /^\\/api\\/items\\/(\\d+)$/.exec(req.url);
  if (!match) { res.writeHead(404).end(); return; }
  const body = JSON.stringify({ id: match[1], ok: true });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port })));
`;

const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const CONNECTIONS = 16;

await copyFile(path.join(projectDir, 'host.json'), path.join(appDir, 'host.json')); // the app's real queue settings
const azurite = await startAzurite();
const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
const results: Record<string, unknown> = {};

try {
  const baseline = await startProcess(process.execPath, ['-e', BASELINE_SERVER]);
  results.httpBaseline = await loadTest(`${baseline.url}/api/items/7`);
  baseline.child.kill();

  const host = await startProcess(
    process.execPath,
    [path.join(projectDir, 'dist/local/host/cli.js'), '--app', appDir, '--port', '0'],
    {
      AzureWebJobsStorage: azurite.connectionString,
      BENCH_QUEUE: 'bench-latency',
      BENCH_DONE_QUEUE: 'bench-done',
    },
  );
  results.httpHost = await loadTest(`${host.url}/api/items/7`);

  const inbound = queues.getQueueClient('bench-latency');
  const done = queues.getQueueClient('bench-done');
  await inbound.createIfNotExists();
  await done.createIfNotExists();
  results.queueBusy = await queueLatency(inbound, done, { count: 300, gapMs: 20 });
  results.queueIdle = await queueLatency(inbound, done, { count: 12, gapMs: 3_000 });
  host.child.kill('SIGTERM');

  results.queueBaselineBusy = await rawPollLatency(queues, 300, 20);
  results.queueBaselineIdle = await rawPollLatency(queues, 12, 3_000);
  results.machine = { cpus: (await import('node:os')).cpus().length, node: process.version };
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} finally {
  await azurite.stop();
}

async function loadTest(url: string) {
  await autocannon({ url, connections: CONNECTIONS, duration: 2 }); // warm-up
  const result = await autocannon({ url, connections: CONNECTIONS, duration: HTTP_SECONDS });
  return {
    requestsPerSecond: round(result.requests.average, 0),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** Sends `count` messages `gapMs` apart and measures each one's enqueue → handler start in the host. */
async function queueLatency(
  inbound: ReturnType<QueueServiceClient['getQueueClient']>,
  done: ReturnType<QueueServiceClient['getQueueClient']>,
  { count, gapMs }: { count: number; gapMs: number },
) {
  const latencies: number[] = [];
  const collector = (async () => {
    while (latencies.length < count) {
      const { receivedMessageItems } = await done.receiveMessages({ numberOfMessages: 32 });
      for (const item of receivedMessageItems) {
        const { sentAt, startedAt } = JSON.parse(Buffer.from(item.messageText, 'base64').toString()) as Record<
          string,
          number
        >;
        latencies.push((startedAt ?? 0) - (sentAt ?? 0));
        await done.deleteMessage(item.messageId, item.popReceipt);
      }
      if (receivedMessageItems.length === 0) await sleep(20);
    }
  })();
  for (let i = 0; i < count; i++) {
    await inbound.sendMessage(Buffer.from(JSON.stringify({ sentAt: Date.now() })).toString('base64'));
    await sleep(gapMs);
  }
  await collector;
  return summary(latencies);
}

/** The floor: a bare SDK loop that polls Azurite back to back, with no host in between. */
async function rawPollLatency(service: QueueServiceClient, count: number, gapMs: number) {
  const queue = service.getQueueClient('bench-raw');
  await queue.createIfNotExists();
  const latencies: number[] = [];
  const poller = (async () => {
    while (latencies.length < count) {
      const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
      const now = Date.now();
      for (const item of receivedMessageItems) {
        latencies.push(now - (JSON.parse(item.messageText) as { sentAt: number }).sentAt);
        await queue.deleteMessage(item.messageId, item.popReceipt);
      }
    }
  })();
  for (let i = 0; i < count; i++) {
    await queue.sendMessage(JSON.stringify({ sentAt: Date.now() }));
    await sleep(gapMs);
  }
  await poller;
  return summary(latencies);
}

function summary(samples: number[]) {
  return {
    samples: samples.length,
    p50Ms: quantile(samples, 0.5),
    p99Ms: quantile(samples, 0.99),
    maxMs: Math.max(...samples),
  };
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function startProcess(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  return { child, url: (JSON.parse(line) as { url: string }).url };
}
