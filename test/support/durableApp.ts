import path from 'node:path';

import { inject } from 'vitest';

import { eventually, type HostProcess, PROJECT_DIR, startHostProcess, uniqueName } from './hostProcess.js';

export const DURABLE_APP = path.join(PROJECT_DIR, 'test/fixtures/app-durable');

export interface DurableStatus {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Record<string, unknown>[];
}

export interface DurableHost extends HostProcess {
  hub: string;
  sideEffectQueue: string;
}

/** The durable fixture app in a real host process, on a task hub of its own. */
export async function startDurableHost(
  options: { hub?: string; sideEffectQueue?: string; env?: Record<string, string> } = {},
): Promise<DurableHost> {
  const hub = options.hub ?? uniqueName('hub').replace(/-/g, '');
  const sideEffectQueue = options.sideEffectQueue ?? uniqueName('effects');
  const host = await startHostProcess(DURABLE_APP, {
    AzureWebJobsStorage: inject('azuriteConnectionString'),
    TASK_HUB: hub,
    SIDE_EFFECT_QUEUE: sideEffectQueue,
    ...options.env,
  });
  return Object.assign(host, { hub, sideEffectQueue });
}

/** Starts an orchestration through the app's starter (the library's DurableClient.startNew). */
export async function startOrchestration(
  host: HostProcess,
  name: string,
  instanceId: string,
  input?: unknown,
): Promise<Response> {
  return fetch(`${host.url}/api/start/${name}/${instanceId}`, {
    method: 'POST',
    body: input === undefined ? '' : JSON.stringify(input),
  });
}

/** Reads status through the library's DurableClient.getStatus. */
export async function statusOf(host: HostProcess, instanceId: string, withHistory = false): Promise<DurableStatus> {
  const response = await fetch(`${host.url}/api/status/${instanceId}${withHistory ? '?history=true' : ''}`);
  return (await response.json()) as DurableStatus;
}

const FINISHED = ['Completed', 'Failed', 'Terminated'];

export async function waitForStatus(
  host: HostProcess,
  instanceId: string,
  statuses = FINISHED,
  timeoutMs = 30_000,
): Promise<DurableStatus> {
  const status = await eventually(
    () => statusOf(host, instanceId),
    (s) => statuses.includes(s.runtimeStatus),
    timeoutMs,
  );
  if (!statuses.includes(status.runtimeStatus)) {
    throw new Error(
      `${instanceId} is ${status.runtimeStatus}, not ${statuses.join('/')}, after ${timeoutMs} ms: ${JSON.stringify(status)}`,
    );
  }
  return status;
}

export async function raise(host: HostProcess, instanceId: string, event: string, data: unknown): Promise<number> {
  return (await fetch(`${host.url}/api/raise/${instanceId}/${event}`, { method: 'POST', body: JSON.stringify(data) }))
    .status;
}

/**
 * History through the management API (the statusQueryGetUri route). durable-functions 3.5.0's DurableClient drops it:
 * the extension sends `historyEvents`, the library's DurableOrchestrationStatus copies `history`.
 */
export async function historyOf(host: HostProcess, instanceId: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(
    `${host.url}/runtime/webhooks/durabletask/instances/${instanceId}?showHistory=true&showHistoryOutput=true`,
  );
  return ((await response.json()) as DurableStatus).historyEvents ?? [];
}

/** Waits for an instance through the management API directly, for apps without a status function. */
export async function waitForInstance(
  host: HostProcess,
  instanceId: string,
  timeoutMs = 30_000,
): Promise<DurableStatus> {
  const read = async () =>
    (await (await fetch(`${host.url}/durabletask/instances/${instanceId}`)).json()) as DurableStatus;
  const status = await eventually(read, (s) => FINISHED.includes(s.runtimeStatus), timeoutMs);
  if (!FINISHED.includes(status.runtimeStatus))
    throw new Error(`${instanceId} is still ${status.runtimeStatus} after ${timeoutMs} ms`);
  return status;
}
