import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { QueueClient } from '@azure/storage-queue';

import { startAzurite } from '../local/azurite/startAzurite.js';
import { developmentConnectionString } from '../local/host/storage/storageConnection.js';
import {
  type CommandType,
  exportPrivateKeyPem,
  generateSigningKeyPair,
  sealCommand,
} from '../shared/protocol/index.js';
import { cpuSeconds, quantile, round } from './stats.js';

/**
 * Guest agent benchmarks (issue 5), against Azurite with the real bundled agent and its default polling settings:
 * 1. command latency while a backup is in progress: enqueue → the agent accepts the command (its log timestamp);
 * 2. idle cost: queue requests per hour (counted by a proxy in front of Azurite), CPU seconds per hour, RSS.
 * Run: npm run bench:agent   (BENCH_COMMANDS=300, BENCH_IDLE_SECONDS=120)
 */
const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bundle = path.join(projectDir, 'dist/agent/quiesce-agent.mjs');
const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 300);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 120);
const VM =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/bench/providers/Microsoft.Compute/virtualMachines/bench-1';

const azurite = await startAzurite();
const dir = await mkdtemp(path.join(os.tmpdir(), 'quiesce-agent-bench-'));
let requests = 0;
const proxy = http.createServer((req, res) => {
  requests++;
  const upstream = http.request(
    { host: '127.0.0.1', port: azurite.ports.queue, path: req.url, method: req.method, headers: req.headers },
    (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    },
  );
  upstream.on('error', () => res.writeHead(502).end());
  req.pipe(upstream);
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxied = developmentConnectionString({ ...azurite.ports, queue: (proxy.address() as AddressInfo).port });

try {
  const service = generateSigningKeyPair();
  const agentKeys = generateSigningKeyPair();
  await mkdir(path.join(dir, 'scripts'));
  await writeFile(path.join(dir, 'scripts/pre.sh'), '#!/bin/sh\nexit 0\n');
  await chmod(path.join(dir, 'scripts/pre.sh'), 0o755);
  await writeFile(path.join(dir, 'agent.pem'), exportPrivateKeyPem(agentKeys.privateKey), { mode: 0o600 });
  const config = {
    vmId: VM,
    auth: { kind: 'connectionString', connectionString: proxied },
    queues: { commandQueue: 'bench-commands', replyQueue: 'bench-replies' },
    servicePublicKey: service.publicKey,
    agentPrivateKeyFile: 'agent.pem',
    scriptsDirectory: 'scripts',
    limits: { maxFrozenSeconds: 600 },
  };
  await writeFile(path.join(dir, 'agent.json'), JSON.stringify(config));
  const commands = new QueueClient(azurite.connectionString, 'bench-commands');
  const replies = new QueueClient(azurite.connectionString, 'bench-replies');
  await Promise.all([commands.createIfNotExists(), replies.createIfNotExists()]);

  const acceptedAt = new Map<string, number>();
  const agent = spawn(process.execPath, [bundle, '--config', path.join(dir, 'agent.json')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: agent.stderr }).on('line', (line) => {
    try {
      const record = JSON.parse(line) as { msg?: string; messageId?: string; time?: number };
      if (record.msg === 'command accepted' && record.messageId && record.time)
        acceptedAt.set(record.messageId, record.time);
    } catch {
      // not a log line
    }
  });
  await new Promise((resolve) => createInterface({ input: agent.stdout }).once('line', resolve));

  const send = async (type: CommandType, body: object) => {
    const sealed = sealCommand(
      { type, vmId: VM, instanceId: 'bench', runId: 'run-1', ttlMs: 600_000, body },
      service.privateKey,
    );
    if (!sealed.ok) throw new Error('oversized');
    const sentAt = Date.now();
    await commands.sendMessage(sealed.wire);
    return { id: sealed.message.id, sentAt };
  };
  const acceptance = async (id: string) => {
    for (;;) {
      const at = acceptedAt.get(id);
      if (at !== undefined) return at;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  // 1. Latency while a backup is in progress: one freeze held for the whole run, commands at random gaps.
  await acceptance(
    (await send('freeze', { maxFrozenSeconds: 600, preScript: { name: 'pre.sh', timeoutSeconds: 10 } })).id,
  );
  const latencies: number[] = [];
  for (let i = 0; i < COMMANDS; i++) {
    const { id, sentAt } = await send('ping', {});
    latencies.push((await acceptance(id)) - sentAt);
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 180));
  }
  const thaw = await send('thaw', {});
  const thawLatency = (await acceptance(thaw.id)) - thaw.sentAt;

  // 2. Idle cost: fresh agent state is not needed; wait out the busy linger first (2 min by default) by restarting.
  agent.kill('SIGTERM');
  await new Promise((resolve) => agent.once('exit', resolve));
  const idleAgent = spawn(process.execPath, [bundle, '--config', path.join(dir, 'agent.json')], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise((resolve) => createInterface({ input: idleAgent.stdout }).once('line', resolve));
  const idlePid = idleAgent.pid ?? 0;
  await new Promise((resolve) => setTimeout(resolve, 5000)); // past start-up
  const [cpuBefore, requestsBefore] = [await cpuSeconds(idlePid), requests];
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const [cpuAfter, requestsAfter] = [await cpuSeconds(idlePid), requests];
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${idlePid}/status`, 'utf8'))?.[1]);
  idleAgent.kill('SIGTERM');
  const perHour = 3600 / IDLE_SECONDS;

  process.stdout.write(
    `${JSON.stringify(
      {
        latencyWhileFrozen: {
          commands: latencies.length,
          p50Ms: quantile(latencies, 0.5),
          p90Ms: quantile(latencies, 0.9),
          p99Ms: quantile(latencies, 0.99),
          maxMs: Math.max(...latencies),
          thawMs: thawLatency,
        },
        idle: {
          seconds: IDLE_SECONDS,
          queueRequestsPerHour: round((requestsAfter - requestsBefore) * perHour, 0),
          cpuSecondsPerHour: round((cpuAfter - cpuBefore) * perHour, 2),
          rssMb: round(rssKb / 1024, 1),
        },
        machine: { cpus: os.cpus().length, node: process.version },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  proxy.close();
  await azurite.stop();
  await rm(dir, { recursive: true, force: true });
}
