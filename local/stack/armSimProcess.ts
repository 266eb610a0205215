import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { stringify } from 'yaml';

import { armClientOptions } from '../../shared/clients/armClientOptions.js';
import type { ArmThrottleGate } from '../../shared/clients/ArmThrottleGate.js';
import { LocalTokenCredential } from '../../shared/clients/LocalTokenCredential.js';
import { PROJECT_DIR } from './projectDir.js';

export const ARM_SIM_CLI = path.join(PROJECT_DIR, 'dist/local/arm/cli.js');

export interface ArmSimProcess {
  endpoint: string;
  caCertPath: string;
  subscriptionId: string;
  controlUrl: string;
  dataDir: string;
  /** The whole ready line, e.g. with the agents' enrollment path when started with --agents. */
  ready: Record<string, unknown>;
  child: ChildProcess;
  compute(options?: { maxRetries?: number; principal?: string; gate?: ArmThrottleGate }): ComputeManagementClient;
  network(): NetworkManagementClient;
  /** Calls a control endpoint (`/_sim/...`) or any raw ARM path; resolves status, headers and parsed body. */
  call(method: string, pathAndQuery: string, body?: unknown, headers?: Record<string, string>): Promise<RawResponse>;
  stop(): Promise<number | null>;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** Writes the fleet as YAML and runs `npm run arm-sim`'s entry point (the built CLI) on it. */
export async function startArmSim(fleet: object, extraArgs: string[] = []): Promise<ArmSimProcess> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'quiesce-arm-fleet-'));
  const fleetFile = path.join(folder, 'fleet.yaml');
  await writeFile(fleetFile, stringify(fleet));
  const child = spawn(process.execPath, [ARM_SIM_CLI, '--fleet', fleetFile, '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderrText = '';
  child.stderr.on('data', (chunk: Buffer) => (stderrText += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ARM simulator did not get ready:\n${stderrText}`)), 30_000);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as Record<string, string>);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`ARM simulator exited with ${code}:\n${stderrText}`));
    });
  });
  const target = { endpoint: ready['endpoint'] ?? '', caCertPath: ready['caCertPath'] ?? '' };
  const ca = readFileSync(target.caCertPath, 'utf8');
  const subscriptionId = ready['subscriptionId'] ?? '';
  return {
    endpoint: target.endpoint,
    caCertPath: target.caCertPath,
    subscriptionId,
    controlUrl: ready['controlUrl'] ?? '',
    dataDir: ready['dataDir'] ?? '',
    ready,
    child,
    compute: (options = {}) =>
      new ComputeManagementClient(new LocalTokenCredential(options.principal), subscriptionId, {
        ...armClientOptions(target),
        retryOptions: { maxRetries: options.maxRetries ?? 3 },
        ...(options.gate ? { additionalPolicies: [{ policy: options.gate.policy(), position: 'perRetry' }] } : {}),
      }),
    network: () => new NetworkManagementClient(new LocalTokenCredential(), subscriptionId, armClientOptions(target)),
    call: (method, pathAndQuery, body, headers = {}) =>
      new Promise<RawResponse>((resolve, reject) => {
        const url = new URL(pathAndQuery, target.endpoint);
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          url,
          {
            method,
            ca,
            headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
          },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: text ? (JSON.parse(text) as unknown) : undefined,
              }),
            );
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
