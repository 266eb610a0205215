import os from 'node:os';

import { resolveSettingExpressions } from '../app/appSettings.js';
import { type TriggeredFunction, triggerType } from '../functionIndex.js';
import type { HostRuntime } from '../HostRuntime.js';
import type { HttpListener } from '../http/HttpListener.js';
import { durableClientBindingData } from './api/clientBindingData.js';
import { durableHttpApi } from './api/DurableHttpApi.js';
import { DurableEngine } from './engine/DurableEngine.js';
import { TaskHubStore } from './store/TaskHubStore.js';

export const DURABLE_TRIGGERS = new Set(['orchestrationtrigger', 'activitytrigger']);
const CLIENT_BINDINGS = ['durableClient', 'orchestrationClient'];

/**
 * Starts the durable engine when the app has orchestrations, activities or durable clients: the task hub from
 * host.json `extensions.durableTask`, the management API on the host's port, the durableClient binding value.
 */
export async function startDurable(
  runtime: HostRuntime,
  functions: TriggeredFunction[],
  http: HttpListener,
  hostUrl: string,
): Promise<DurableEngine | undefined> {
  const byName = (type: string) =>
    new Map(functions.filter((fn) => triggerType(fn) === type).map((fn) => [fn.name.toLowerCase(), fn]));
  const orchestrators = byName('orchestrationtrigger');
  const activities = byName('activitytrigger');
  const usesClient = functions.some((fn) =>
    Object.values(fn.registered.metadata.bindings).some((b) => CLIENT_BINDINGS.includes(String(b.type))),
  );
  if (orchestrators.size === 0 && activities.size === 0 && !usesClient) return undefined;

  const options = runtime.hostJson.extensions.durableTask;
  const hubName = resolveSettingExpressions(options.hubName);
  const connectionName = options.storageProvider.connectionName ?? options.storageProvider.connectionStringName;
  const defaultConcurrency = 10 * os.availableParallelism();
  const engine = new DurableEngine({
    runtime,
    store: new TaskHubStore(hubName, runtime.storage, connectionName),
    orchestrators,
    activities,
    maxConcurrentActivities: options.maxConcurrentActivityFunctions ?? defaultConcurrency,
    maxConcurrentOrchestrations: options.maxConcurrentOrchestratorFunctions ?? defaultConcurrency,
  });
  const clientData = { string: durableClientBindingData(hostUrl, hubName) };
  for (const type of CLIENT_BINDINGS) runtime.inputBindingValues.set(type, clientData);
  http.addSystemRoute(durableHttpApi(engine, runtime.logger));
  await engine.start();
  runtime.logger.info(
    { taskHub: hubName, orchestrators: orchestrators.size, activities: activities.size },
    `Durable task hub '${hubName}' is running`,
  );
  return engine;
}
