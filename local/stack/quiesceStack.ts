import { readFile } from 'node:fs/promises';

import { type RunningAzurite, startAzurite } from '../azurite/startAzurite.js';
import { type ArmSimProcess, startArmSim } from './armSimProcess.js';
import { eventually, type HostProcess, startHostProcess, uniqueName } from './hostProcess.js';
import { PROJECT_DIR } from './projectDir.js';

export interface StackRun {
  runId: string;
  status: string;
  reason?: string;
  counts?: Record<string, number>;
  results: StackVmResult[];
}

export interface StackVmResult {
  vmName: string;
  consistency: string;
  reason: string;
  warnings: string[];
  startedAt: string;
  endedAt: string;
  freezeWindowMs?: number;
  snapshots: { disk: string; snapshotId?: string }[];
  evidence: {
    verdict: Record<string, unknown>;
    agent: {
      thawed?: { thawReason: string; thawedAt: string; frozenDurationMs: number };
      frozen?: unknown;
      pong?: unknown;
    };
    snapshots: { disk: string; snapshotId?: string; ok: boolean; acceptedAt: string; succeededAt?: string }[];
    timings: Record<string, string>;
    /** What the policy's retention did after this VM's backup (only when it ran). */
    retention?: { deleted: number; failed: number };
  };
}

export interface StackOptions {
  /** Names the task hub (`<name><random>`) and the table prefix (`<Name>`); default `stack`. */
  name?: string;
  /** Extra app settings for the host. */
  hostEnv?: Record<string, string>;
}

export interface QuiesceStack {
  azurite: RunningAzurite;
  sim: ArmSimProcess;
  host: HostProcess;
  subscriptionId: string;
  vmId(resourceGroup: string, name: string): string;
  /** Calls the app's API; resolves the status and the parsed JSON body. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** POST /api/backups, then waits for the run to finish; the run with its VM results. */
  backup(request: object, timeoutMs?: number): Promise<StackRun>;
  waitForRun(runId: string, timeoutMs?: number): Promise<StackRun>;
  /** Kills the app's host (SIGKILL: no drain, no goodbye) and starts it again on the same storage and task hub. */
  restartHost(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole product on one machine, each part real: an Azurite of its own (so the shared reply queue is this stack's
 * alone), the ARM simulator with the fleet and one real agent process per VM, and the Quiesce app in the local
 * Functions host pointed at both, with every agent enrolled through the API.
 */
export async function startQuiesceStack(
  fleet: { subscriptionId: string; vms: object[]; simulator?: object },
  options: StackOptions = {},
): Promise<QuiesceStack> {
  const { name = 'stack', hostEnv = {} } = options;
  const azurite = await startAzurite();
  const sim = await startArmSim(fleet, ['--agents', '--storage', azurite.connectionString]).catch(
    async (error: unknown) => {
      await azurite.stop();
      throw error;
    },
  );
  const hostSettings = {
    AzureWebJobsStorage: azurite.connectionString,
    QUIESCE_TASK_HUB: uniqueName(name).replace(/-/g, ''),
    QUIESCE_TABLE_PREFIX: `${name.charAt(0).toUpperCase()}${name.slice(1)}`,
    QUIESCE_ARM_ENDPOINT: sim.endpoint,
    QUIESCE_ARM_CA_CERT_PATH: sim.caCertPath,
    QUIESCE_ARM_CREDENTIAL: 'local',
    QUIESCE_SERVICE_KEY_FILE: String(sim.ready.serviceKeyPath),
    QUIESCE_SUBSCRIPTION_IDS: fleet.subscriptionId,
    ...hostEnv,
  };
  // A stack that fails half way leaves nothing running: no agents, no simulator, no Azurite.
  const stopParts = async (running?: HostProcess) => {
    await running?.stop('SIGTERM');
    await sim.stop();
    await azurite.stop();
  };
  let host = await startHostProcess(PROJECT_DIR, hostSettings).catch(async (error: unknown) => {
    await stopParts();
    throw error;
  });
  const api: QuiesceStack['api'] = async (method, path, body) => {
    const response = await fetch(`${host.url}/api/${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const enrollments = JSON.parse(await readFile(String(sim.ready.enrollmentPath), 'utf8')) as {
    vmId: string;
    publicKey: string;
  }[];
  try {
    for (const { vmId, publicKey } of enrollments) {
      const enrolled = await api('POST', 'agents', { vmId, publicKey });
      if (enrolled.status >= 300) throw new Error(`enrolling ${vmId}: ${JSON.stringify(enrolled.body)}`);
    }
  } catch (error: unknown) {
    await stopParts(host);
    throw error;
  }
  const waitForRun: QuiesceStack['waitForRun'] = async (runId, timeoutMs = 60_000) => {
    // The orchestration's status comes from the host's memory; the run's record is a table query of every VM's
    // result, read once at the end, so that waiting does not load the stack it measures (a 100 ms poll did).
    const instance = await eventually(
      async () => {
        const response = await fetch(`${host.url}/durabletask/instances/${runId}`);
        return response.status === 404
          ? { runtimeStatus: 'Pending' }
          : ((await response.json()) as { runtimeStatus: string });
      },
      (status) => status.runtimeStatus !== 'Running' && status.runtimeStatus !== 'Pending',
      timeoutMs,
    );
    if (instance.runtimeStatus !== 'Completed')
      throw new Error(`the orchestration of run ${runId} is ${instance.runtimeStatus}, not Completed`);
    const run = await api('GET', `runs/${runId}`);
    if (run.status !== 200 || run.body.status === 'Running')
      throw new Error(`run ${runId} did not finish: ${JSON.stringify(run.body)}`);
    return run.body as unknown as StackRun;
  };
  return {
    azurite,
    sim,
    get host() {
      return host;
    },
    subscriptionId: fleet.subscriptionId,
    vmId: (resourceGroup, name) =>
      `/subscriptions/${fleet.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${name}`,
    api,
    waitForRun,
    backup: async (request, timeoutMs) => {
      const started = await api('POST', 'backups', request);
      if (started.status !== 202)
        throw new Error(`POST /api/backups answered ${started.status}: ${JSON.stringify(started.body)}`);
      return waitForRun(String(started.body.runId), timeoutMs);
    },
    restartHost: async () => {
      await host.stop('SIGKILL');
      host = await startHostProcess(PROJECT_DIR, hostSettings);
    },
    stop: () => stopParts(host),
  };
}
