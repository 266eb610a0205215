import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import {
  commandQueueName,
  exportPrivateKeyPem,
  generateSigningKeyPair,
  REPLY_QUEUE_NAME,
} from '../../shared/protocol/index.js';
import type { Logger } from '../host/logger.js';
import type { FleetVmReady } from './runFleet.js';

/** The bundled agent, built by `npm run build` next to this file's compiled output. */
export const AGENT_BUNDLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../agent/quiesce-agent.mjs');
/** The simulated VSS helper's small bundle, beside the agent's (simulated Windows VMs start one per freeze). */
const VSS_SIMULATOR_BUNDLE = path.join(path.dirname(AGENT_BUNDLE), 'quiesce-vss-simulator.mjs');
const READY_TIMEOUT_MS = 20_000;

export interface FleetAgentsOptions {
  /** Storage for the command and reply queues (Azurite locally). */
  connectionString: string;
  /** The service's Ed25519 public key (raw, base64url): agents accept commands signed by it only. */
  servicePublicKey: string;
  /** Each VM's agent gets `<dataDir>/agents/<vm>/` for its config, key, lock and log. */
  dataDir: string;
  /** Relative `scriptsDir` values in the fleet file are resolved from this folder. */
  fleetDir: string;
  replyQueue?: string;
  logger: Logger;
}

/** What the service must know to talk to a VM's agent: written to `<dataDir>/enrollment.json`. */
export interface FleetAgentEnrollment {
  vmId: string;
  name: string;
  os: 'linux' | 'windows';
  publicKey: string;
  commandQueue: string;
  pid: number;
}

/**
 * Starts one real agent process per simulated VM (the fleet's `onVmReady` hook). A Linux VM's agent may freeze only
 * the loop-mounted images its fleet entry lists (`agent.freezeMounts`), never the host's filesystems; without any,
 * fsfreeze is off. A Windows VM's agent reports Windows and drives the simulated VSS helper.
 */
export class FleetAgents {
  readonly enrollments: FleetAgentEnrollment[] = [];
  readonly #options: FleetAgentsOptions;
  readonly #children: ChildProcess[] = [];

  constructor(options: FleetAgentsOptions) {
    this.#options = options;
  }

  readonly onVmReady = async (vm: FleetVmReady): Promise<void> => {
    const { dataDir, fleetDir, connectionString, servicePublicKey, logger } = this.#options;
    const dir = path.join(dataDir, 'agents', vm.name);
    const scriptsDirectory = vm.agent.scriptsDir
      ? path.resolve(fleetDir, vm.agent.scriptsDir)
      : path.join(dir, 'scripts');
    await mkdir(dir, { recursive: true });
    await mkdir(scriptsDirectory, { recursive: true });
    const keys = generateSigningKeyPair();
    await writeFile(path.join(dir, 'agent.pem'), exportPrivateKeyPem(keys.privateKey), { mode: 0o600 });
    const freezeMounts = vm.os === 'linux' ? (vm.agent.freezeMounts ?? []) : [];
    const config = {
      vmId: vm.vmResourceId,
      auth: { kind: 'connectionString', connectionString },
      queues: { replyQueue: this.#options.replyQueue ?? REPLY_QUEUE_NAME },
      servicePublicKey,
      agentPrivateKeyFile: 'agent.pem',
      scriptsDirectory,
      fsfreeze:
        freezeMounts.length > 0
          ? { enabled: true, onlyMounts: freezeMounts, lockFile: path.join(dir, 'run/freeze.lock') }
          : { enabled: false },
      ...(vm.os === 'windows'
        ? {
            reportOs: 'windows',
            vss: { helperPath: process.execPath, helperArgs: [VSS_SIMULATOR_BUNDLE] },
          }
        : {}),
      ...(vm.agent.maxFrozenSeconds ? { limits: { maxFrozenSeconds: vm.agent.maxFrozenSeconds } } : {}),
      ...vm.agent.settings,
    };
    const configFile = path.join(dir, 'agent.json');
    await writeFile(configFile, JSON.stringify(config, null, 2));
    const child = await startAgent(configFile, path.join(dir, 'agent.log'));
    this.#children.push(child);
    this.enrollments.push({
      vmId: vm.vmResourceId,
      name: vm.name,
      os: vm.os,
      publicKey: keys.publicKey,
      commandQueue: commandQueueName(vm.vmResourceId),
      pid: child.pid ?? -1,
    });
    await writeFile(path.join(dataDir, 'enrollment.json'), JSON.stringify(this.enrollments, null, 2));
    logger.info({ vm: vm.name, pid: child.pid, os: vm.os, freezeMounts }, `Agent of ${vm.name} is running`);
  };

  /** SIGTERM to every agent (each thaws first), then waits for them to exit. */
  async stop(): Promise<void> {
    await Promise.all(
      this.#children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}

function startAgent(configFile: string, logFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [AGENT_BUNDLE, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const { stdout, stderr } = child;
  if (!stdout || !stderr) throw new Error('The agent process has no output pipes.');
  stderr.pipe(createWriteStream(logFile, { flags: 'a' }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The agent for ${configFile} did not get ready within ${READY_TIMEOUT_MS} ms; see ${logFile}.`));
    }, READY_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The agent for ${configFile} exited with ${code} before it was ready; see ${logFile}.`));
    });
    createInterface({ input: stdout }).once('line', () => {
      clearTimeout(timer);
      stdout.resume();
      resolve(child);
    });
  });
}
