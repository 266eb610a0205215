import path from 'node:path';

import { adminRoutes } from './adminRoutes.js';
import { applyLocalSettings } from './app/appSettings.js';
import { readHostJson } from './app/hostJson.js';
import { loadApp } from './app/loadApp.js';
import { CoreApi } from './core/CoreApi.js';
import { installCoreModule } from './core/installCoreModule.js';
import type { DurableEngine } from './durable/engine/DurableEngine.js';
import { DURABLE_TRIGGERS, startDurable } from './durable/startDurable.js';
import { indexFunction, type TriggeredFunction, triggerType } from './functionIndex.js';
import { HostRuntime } from './HostRuntime.js';
import { HttpListener } from './http/HttpListener.js';
import { createLogger, logAtRpcLevel, type Logger } from './logger.js';
import { SUPPORTED_OUTPUT_TYPES } from './outputBindings.js';
import { QueueListener } from './queue/QueueListener.js';
import { QueueOutput } from './queue/QueueOutput.js';
import { QueueWatcher } from './queue/QueueWatcher.js';
import { StorageClients } from './storage/StorageClients.js';
import { TimerListener } from './timer/TimerListener.js';

export interface FunctionsHostOptions {
  appDir: string;
  port?: number;
  hostname?: string;
  /** How long shutdown waits for running invocations. */
  drainTimeoutMs?: number;
  logger?: Logger;
}

export interface FunctionSummary {
  name: string;
  trigger: string;
  detail: string;
}

const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

/**
 * A Functions host for `@azure/functions` v4 apps on plain Node: loads the app through the real library, serves its
 * HTTP triggers, runs its timer and storage queue triggers against Azure Storage (Azurite locally).
 */
export class FunctionsHost {
  readonly url: string;
  readonly functions: FunctionSummary[];
  readonly #runtime: HostRuntime;
  readonly #http: HttpListener;
  readonly #timers: TimerListener[];
  readonly #queues: QueueListener[];
  readonly #durable: DurableEngine | undefined;
  readonly #drainTimeoutMs: number;
  #state: 'Initialized' | 'Running' | 'Stopping' = 'Initialized';
  #stopping: Promise<void> | undefined;

  private constructor(parts: {
    url: string;
    runtime: HostRuntime;
    http: HttpListener;
    timers: TimerListener[];
    queues: QueueListener[];
    durable: DurableEngine | undefined;
    functions: FunctionSummary[];
    drainTimeoutMs: number;
  }) {
    this.url = parts.url;
    this.#runtime = parts.runtime;
    this.#http = parts.http;
    this.#timers = parts.timers;
    this.#queues = parts.queues;
    this.#durable = parts.durable;
    this.functions = parts.functions;
    this.#drainTimeoutMs = parts.drainTimeoutMs;
  }

  static async start(options: FunctionsHostOptions): Promise<FunctionsHost> {
    const appDir = path.resolve(options.appDir);
    const skippedSettings = await applyLocalSettings(appDir);
    const hostJson = await readHostJson(appDir);
    // As on Azure, an app setting overrides host.json: AzureFunctionsJobHost__logging__logLevel__default.
    const logLevel = process.env.AzureFunctionsJobHost__logging__logLevel__default ?? hostJson.logging.logLevel.default;
    const logger = options.logger ?? createLogger(logLevel);
    for (const name of skippedSettings) {
      logger.warn(`Skipping '${name}' from local.settings.json as it's already defined in the environment.`);
    }

    const coreApi = new CoreApi((level, category, message) => logAtRpcLevel(logger, level, { category }, message));
    const storage = new StorageClients();
    const queueWatcher = new QueueWatcher();
    const queueOutput = new QueueOutput(storage, queueWatcher, hostJson.extensions.queues.messageEncoding);
    const runtime = new HostRuntime(
      appDir,
      hostIdFor(appDir),
      hostJson,
      coreApi,
      logger,
      storage,
      queueWatcher,
      queueOutput,
    );

    // Listen before loading the app, so WEBSITE_HOSTNAME is right for code that reads it at import time.
    const http = new HttpListener(runtime);
    const hostname = options.hostname ?? '127.0.0.1';
    const port = await http.listen(options.port ?? 7071, hostname);
    const url = `http://${hostname}:${port}`;
    process.env.WEBSITE_HOSTNAME = `${hostname}:${port}`;

    installCoreModule(coreApi);
    const entryFiles = await loadApp(appDir, coreApi);
    logger.info({ entryFiles }, `Loaded ${coreApi.functions.size} function(s) from ${appDir}`);

    const functions = [...coreApi.functions.values()].map(indexFunction);
    assertSupported(functions);
    const timers: TimerListener[] = [];
    const queues: QueueListener[] = [];
    for (const fn of functions) {
      const type = triggerType(fn);
      if (type === 'httptrigger') http.addFunction(fn);
      else if (type === 'timertrigger') timers.push(new TimerListener(runtime, fn));
      else if (type === 'queuetrigger') queues.push(new QueueListener(runtime, fn));
    }

    const durable = await startDurable(runtime, functions, http, url);
    const host: FunctionsHost = new FunctionsHost({
      url,
      runtime,
      http,
      timers,
      queues,
      durable,
      drainTimeoutMs: options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
      functions: functions.map((fn) => summarise(fn, http)),
    });
    http.addSystemRoute(
      adminRoutes(
        () => host.#state,
        () => host.functions,
        (name) => timers.find((t) => t.functionName.toLowerCase() === name.toLowerCase())?.runManually(),
      ),
    );
    for (const queue of queues) queue.start();
    for (const timer of timers) {
      timer
        .start()
        .catch((error: unknown) =>
          logger.error({ err: error, function: timer.schedule.text }, 'Timer listener failed to start'),
        );
    }
    host.#state = 'Running';
    return host;
  }

  get logger(): Logger {
    return this.#runtime.logger;
  }

  /**
   * Graceful shutdown: stop taking new work (HTTP, polls, timers), let running invocations finish (up to the drain
   * timeout), then run `appTerminate` hooks. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#state = 'Stopping';
    const logger = this.#runtime.logger;
    logger.info({ inFlight: this.#runtime.inFlight.count }, 'Host is stopping; waiting for running invocations');
    const httpClosed = this.#http.close();
    await Promise.all([...this.#queues.map((q) => q.stop()), ...this.#timers.map((t) => t.stop())]);
    await this.#durable?.stop();
    const drained = await this.#runtime.inFlight.drain(this.#drainTimeoutMs);
    if (!drained) logger.warn({ inFlight: this.#runtime.inFlight.count }, 'Drain timeout passed; stopping anyway');
    this.#http.closeAllConnections();
    await httpClosed;
    await this.#runtime.coreApi
      .runHooks('appTerminate', { hookData: {}, appHookData: this.#runtime.appHookData })
      .catch((error: unknown) => logger.error({ err: error }, 'appTerminate hook failed'));
    logger.info('Host stopped');
    logger.flush();
  }
}

const SUPPORTED_TRIGGERS = new Set(['httptrigger', 'timertrigger', 'queuetrigger', ...DURABLE_TRIGGERS]);

function assertSupported(functions: TriggeredFunction[]): void {
  const problems: string[] = [];
  for (const fn of functions) {
    if (!SUPPORTED_TRIGGERS.has(triggerType(fn))) problems.push(`${fn.name}: trigger type "${fn.trigger.type}"`);
    for (const [name, binding] of Object.entries(fn.registered.metadata.bindings)) {
      if (binding.direction === 'out' && !SUPPORTED_OUTPUT_TYPES.has(String(binding.type).toLowerCase())) {
        problems.push(`${fn.name}: output binding "${name}" of type "${binding.type}"`);
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`The local host does not support:\n  ${problems.join('\n  ')}`);
  }
}

function summarise(fn: TriggeredFunction, http: HttpListener): FunctionSummary {
  const type = triggerType(fn);
  if (type === 'httptrigger') {
    const route = http.routes.find((r) => r.function === fn.name);
    return { name: fn.name, trigger: 'http', detail: `${route?.methods.join(',')} /${route?.route}` };
  }
  if (type === 'timertrigger') return { name: fn.name, trigger: 'timer', detail: String(fn.trigger.schedule) };
  if (type === 'queuetrigger') return { name: fn.name, trigger: 'queue', detail: String(fn.trigger.queueName) };
  return { name: fn.name, trigger: type === 'orchestrationtrigger' ? 'orchestration' : 'activity', detail: '' };
}

/** The host id keys timer status and locks; like the real host, it comes from settings or the site name. */
function hostIdFor(appDir: string): string {
  const explicit = process.env.AzureFunctionsWebHost__hostid;
  const source = explicit ?? process.env.WEBSITE_SITE_NAME ?? path.basename(appDir);
  return (
    source
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 32)
      .replace(/-+$/, '') || 'local-host'
  );
}
