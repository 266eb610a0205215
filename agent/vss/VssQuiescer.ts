import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

import type { AgentError, VssStep, VssWriterState } from '../../shared/protocol/index.js';
import { type HelperError, HelperEvent, type HelperRequest } from './vssLineProtocol.js';

export interface VssHelperCommand {
  helperPath: string;
  helperArgs: string[];
}

export type VssFreezeOutcome =
  | { ok: true; writers: VssWriterState[]; snapshotSetId: string }
  | { ok: false; writers: VssWriterState[]; error: AgentError };

export interface VssThawOutcome {
  writers: VssWriterState[];
  errors: AgentError[];
}

/** Longer than VSS's own 60 s writer timeout, so the helper reports first. */
const FREEZE_WAIT_MS = 75_000;
const THAW_WAIT_MS = 15_000;
const READY_WAIT_MS = 10_000;
/** The longest timer Node accepts: "until the helper says so or exits". */
const UNTIL_EXIT_MS = 2 ** 31 - 1;

const vssError = (error: HelperError): AgentError => ({
  code: 'VSS_ERROR',
  message: `${error.message} (${error.hresult})`,
  step: 'vss',
  detail: error.name,
});

/** Waits for the first helper event that `accept` takes, or undefined on timeout or exit. */
function nextEvent<E extends HelperEvent>(
  events: EventTarget,
  accept: (event: HelperEvent) => event is E,
  timeoutMs: number,
): Promise<E | undefined> {
  return new Promise((resolve) => {
    const done = (value: E | undefined) => {
      clearTimeout(timer);
      events.removeEventListener('event', onEvent);
      events.removeEventListener('exit', onExit);
      resolve(value);
    };
    const onEvent = (e: Event) => {
      const event = (e as CustomEvent<HelperEvent>).detail;
      if (accept(event)) done(event);
    };
    const onExit = () => done(undefined);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    events.addEventListener('event', onEvent);
    events.addEventListener('exit', onExit);
  });
}

/** Windows VSS through the helper executable and its line protocol (vssLineProtocol.ts). */
export class VssQuiescer {
  readonly #command: VssHelperCommand;
  #helper: ChildProcess | undefined;
  /** Whether the current helper reported ready (settles once per helper). */
  #ready: Promise<boolean> | undefined;
  readonly #events = new EventTarget();
  #writers: VssWriterState[] = [];
  #abort: HelperError | undefined;
  #thawed: Promise<VssThawOutcome> | undefined;
  #thawRequested = false;
  #onUnexpectedThaw: (reason: 'vss-timeout' | 'holder-exited', error?: AgentError) => void = () => {};

  constructor(command: VssHelperCommand) {
    this.#command = command;
  }

  onUnexpectedThaw(listener: (reason: 'vss-timeout' | 'holder-exited', error?: AgentError) => void): void {
    this.#onUnexpectedThaw = listener;
  }

  #start(): ChildProcess {
    const helper = spawn(this.#command.helperPath, this.#command.helperArgs, {
      stdio: ['pipe', 'pipe', 'ignore'],
      windowsHide: true,
    });
    helper.stdin.on('error', () => {});
    helper.once('error', () => this.#events.dispatchEvent(new Event('exit')));
    helper.once('exit', () => this.#events.dispatchEvent(new Event('exit')));
    createInterface({ input: helper.stdout }).on('line', (line) => {
      try {
        const parsed = HelperEvent.safeParse(JSON.parse(line));
        if (parsed.success) this.#events.dispatchEvent(new CustomEvent('event', { detail: parsed.data }));
      } catch {
        // not a protocol line
      }
    });
    return helper;
  }

  #send(request: HelperRequest): void {
    this.#helper?.stdin?.write(`${JSON.stringify(request)}\n`);
  }

  /**
   * Starts the helper and waits for it to report ready, or says why it is not usable. A ready helper is kept for the
   * freeze that follows (a backup's ping comes just before its freeze), so one backup starts one helper, not two;
   * `release` ends it when no freeze comes.
   */
  async warmUp(): Promise<{ usable: boolean; reason?: string }> {
    this.#helper ??= this.#start();
    this.#ready ??= nextEvent(this.#events, (e) => e.event === 'ready', READY_WAIT_MS).then((e) => e !== undefined);
    if (await this.#ready) return { usable: true };
    this.release();
    return { usable: false, reason: `the VSS helper ${this.#command.helperPath} did not report ready` };
  }

  /** Ends a helper that was started but never asked to freeze (closing its stdin ends a helper that holds nothing). */
  release(): void {
    const helper = this.#helper;
    if (!helper || this.#thawed) return;
    helper.stdin?.end();
    void this.#ready?.then((ready) => ready || helper.kill());
  }

  /** Freezes through the helper started by `warmUp` if it is still there, else through a new one. */
  async freeze(step: VssStep): Promise<VssFreezeOutcome> {
    const fail = (message: string): VssFreezeOutcome => ({
      ok: false,
      writers: this.#writers,
      error: { code: 'VSS_UNAVAILABLE', message, step: 'vss' },
    });
    const warm = this.#helper;
    if (warm && (warm.exitCode !== null || warm.signalCode !== null)) {
      this.#helper = undefined;
      this.#ready = undefined;
    }
    const helper = (await this.warmUp()).usable ? this.#helper : undefined;
    if (!helper) return fail(`the VSS helper ${this.#command.helperPath} did not start`);
    const settled = nextEvent(this.#events, (e) => e.event === 'frozen' || e.event === 'error', FREEZE_WAIT_MS);
    this.#send({
      op: 'freeze',
      backupType: step.backupType,
      include: step.writers.include,
      exclude: step.writers.exclude,
    });
    const result = await settled;
    if (!result) {
      helper.kill();
      return fail('the VSS helper neither froze nor failed in time');
    }
    this.#writers = result.writers;
    if (result.event === 'error') {
      helper.stdin?.end();
      return { ok: false, writers: result.writers, error: vssError(result.error) };
    }
    if (result.event !== 'frozen') return fail('unexpected helper event');
    this.#thawed = nextEvent(this.#events, (e) => e.event === 'thawed', UNTIL_EXIT_MS).then((event) => ({
      writers: event?.writers ?? this.#writers,
      errors: event?.error
        ? [vssError(event.error)]
        : event
          ? []
          : [{ code: 'THAW_FAILED', message: 'the VSS helper exited before thawing', step: 'vss' }],
    }));
    void nextEvent(this.#events, (e) => e.event === 'error', UNTIL_EXIT_MS).then((event) => {
      if (event?.event !== 'error') return;
      this.#abort = event.error;
      this.#writers = event.writers;
      this.#onUnexpectedThaw('vss-timeout', vssError(event.error));
    });
    helper.once('exit', () => {
      if (!this.#abort && !this.#thawRequested) this.#onUnexpectedThaw('holder-exited');
    });
    return { ok: true, writers: result.writers, snapshotSetId: result.snapshotSetId };
  }

  /** Sends thaw and waits for the result; idempotent. */
  async thaw(): Promise<VssThawOutcome> {
    const helper = this.#helper;
    if (!helper || !this.#thawed) return { writers: this.#writers, errors: [] };
    if (!this.#thawRequested) {
      this.#thawRequested = true;
      this.#send({ op: 'thaw' });
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<VssThawOutcome>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            writers: this.#writers,
            errors: [{ code: 'THAW_FAILED', message: 'the VSS helper did not confirm the thaw', step: 'vss' }],
          }),
        THAW_WAIT_MS,
      );
    });
    const outcome = await Promise.race([this.#thawed, timedOut]);
    clearTimeout(timer);
    helper.stdin?.end();
    return outcome;
  }
}
