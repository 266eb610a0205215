import { resolveSettingExpressions } from '../app/appSettings.js';
import { bindingString, type TriggeredFunction } from '../functionIndex.js';
import type { HostRuntime } from '../HostRuntime.js';
import { BlobLease } from '../storage/BlobLease.js';
import { HOSTS_CONTAINER, ScheduleMonitor, type ScheduleStatus } from './ScheduleMonitor.js';
import { parseTimerSchedule, recursAtLeastEveryMinute, type TimerSchedule } from './TimerSchedule.js';

/** setTimeout's ceiling; longer waits are taken in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * One timer trigger, following WebJobs' TimerListener: on start, a past-due occurrence (from the persisted schedule
 * status) runs at once with `isPastDue`, else `runOnStartup` runs; then each occurrence runs in turn, never two at once,
 * and the status is saved after each run.
 */
export class TimerListener {
  readonly #runtime: HostRuntime;
  readonly #fn: TriggeredFunction;
  readonly #schedule: TimerSchedule;
  readonly #monitor: ScheduleMonitor | undefined;
  readonly #lease: BlobLease;
  #status: ScheduleStatus | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(runtime: HostRuntime, fn: TriggeredFunction) {
    this.#runtime = runtime;
    this.#fn = fn;
    const timeZone = process.env.WEBSITE_TIME_ZONE || process.env.TZ || 'UTC';
    this.#schedule = parseTimerSchedule(resolveSettingExpressions(bindingString(fn, fn.trigger, 'schedule')), timeZone);
    const container = runtime.storage.blobService().getContainerClient(HOSTS_CONTAINER);
    const useMonitor = fn.trigger.useMonitor !== false && !recursAtLeastEveryMinute(this.#schedule, new Date());
    this.#monitor = useMonitor ? new ScheduleMonitor(container, runtime.hostId, fn.name) : undefined;
    // The singleton listener lock of the Functions host.
    this.#lease = new BlobLease(
      container,
      `locks/${runtime.hostId}/Host.Functions.${fn.name}.Listener`,
      runtime.logger,
    );
  }

  get schedule(): TimerSchedule {
    return this.#schedule;
  }

  async start(): Promise<void> {
    const acquired = await this.#lease.acquire(() => this.#onLeaseLost());
    if (!acquired || this.#stopped) return;
    const now = new Date();
    const saved = await this.#monitor?.getStatus();
    const pastDueMs = saved ? ScheduleMonitor.pastDueMs(saved, this.#schedule, now) : 0;
    this.#status = saved ?? {
      Last: null,
      Next: this.#schedule.next(now).toISOString(),
      LastUpdated: now.toISOString(),
    };
    if (pastDueMs > 0) {
      this.#runtime.logger.info({ function: this.#fn.name, pastDueMs }, `Function '${this.#fn.name}' is past due`);
      await this.#run(new Date(this.#status.Next), { isPastDue: true, reason: 'Timer fired (past due)' });
    } else if (this.#fn.trigger.runOnStartup === true) {
      await this.#run(now, { isPastDue: false, reason: 'Timer fired (runOnStartup)', keepLast: true });
    }
    this.#arm();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    await this.#lease.release();
  }

  #arm(): void {
    if (this.#stopped) return;
    const next = this.#schedule.next(new Date());
    const wait = () => {
      const remainingMs = next.getTime() - Date.now();
      if (remainingMs > 0) {
        this.#timer = setTimeout(wait, Math.min(remainingMs, MAX_TIMEOUT_MS));
        return;
      }
      this.#running = this.#run(next, { isPastDue: false, reason: 'Timer fired' }).finally(() => {
        this.#running = undefined;
        this.#arm();
      });
    };
    wait();
  }

  async #run(slot: Date, options: { isPastDue: boolean; reason: string; keepLast?: boolean }): Promise<void> {
    await this.#invoke(options.isPastDue, `${options.reason} at ${slot.toISOString()}`);
    const now = new Date();
    this.#status = {
      Last: options.keepLast ? (this.#status?.Last ?? null) : slot.toISOString(),
      Next: this.#schedule.next(now).toISOString(),
      LastUpdated: now.toISOString(),
    };
    await this.#monitor?.updateStatus(this.#status).catch((error: unknown) => {
      this.#runtime.logger.warn({ err: error, function: this.#fn.name }, 'Could not save the timer schedule status');
    });
  }

  /** `POST /admin/functions/{name}`: one invocation now, as the Functions host's admin API runs a timer by hand. */
  runManually(): Promise<void> {
    return this.#invoke(false, 'Run through the admin API');
  }

  /** One invocation with the TimerInfo the Node worker expects; the schedule status is left to the caller. */
  async #invoke(isPastDue: boolean, reason: string): Promise<void> {
    const timerInfo = {
      Schedule: { AdjustForDST: this.#schedule.adjustForDST },
      ScheduleStatus: this.#monitor ? (this.#status ?? null) : null,
      IsPastDue: isPastDue,
    };
    await this.#runtime.invoke(this.#fn.registered, {
      inputData: [{ name: this.#fn.triggerName, data: { json: JSON.stringify(timerInfo) } }],
      reason,
    });
  }

  get functionName(): string {
    return this.#fn.name;
  }

  #onLeaseLost(): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    void this.start().catch((error: unknown) => {
      this.#runtime.logger.error({ err: error, function: this.#fn.name }, 'Timer listener could not restart');
    });
  }
}
