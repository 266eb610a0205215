import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

import type { AgentError } from '../../shared/protocol/index.js';
import { fsfreezeCall } from './fsfreezeCall.js';
import { HolderEvent } from './holderProtocol.js';

export interface FsFreezeOptions {
  binary: string;
  lockFile: string;
  /** How to start the holder: the node binary and the agent script, to which the holder arguments are appended. */
  holderCommand: readonly [string, ...string[]];
}

export type FsFreezeOutcome = { ok: true; mounts: string[] } | { ok: false; error: AgentError };

/** Why the holder let go without being asked: its own deadline, or it vanished. */
export type UnexpectedThaw = 'deadline' | 'holder-exited';

const HOLDER_THAW_WAIT_MS = 15_000;

/**
 * Linux fsfreeze through the freeze holder. `thaw` is idempotent; if the holder dies without thawing, the agent runs
 * `fsfreeze -u` on the mounts itself.
 */
export class FsFreezeQuiescer {
  readonly #options: FsFreezeOptions;
  #holder: ChildProcess | undefined;
  #mounts: string[] = [];
  #thawed: Promise<AgentError[]> | undefined;
  #resolveThawed: ((errors: AgentError[]) => void) | undefined;
  #onUnexpectedThaw: (reason: UnexpectedThaw) => void = () => {};

  constructor(options: FsFreezeOptions) {
    this.#options = options;
  }

  onUnexpectedThaw(listener: (reason: UnexpectedThaw) => void): void {
    this.#onUnexpectedThaw = listener;
  }

  freeze(mounts: string[], deadlineMs: number): Promise<FsFreezeOutcome> {
    const [command, ...args] = this.#options.holderCommand;
    const spec = { mounts, deadlineMs, binary: this.#options.binary, lockFile: this.#options.lockFile };
    const holder = spawn(command, [...args, '__hold-freeze', JSON.stringify(spec)], {
      detached: true,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    this.#holder = holder;
    this.#mounts = mounts;
    holder.stdin.on('error', () => {});
    return new Promise<FsFreezeOutcome>((resolve) => {
      let frozen = false;
      let thawedReported = false;
      const fail = (code: AgentError['code'], message: string) =>
        resolve({ ok: false, error: { code, message, step: 'fsfreeze' } });
      holder.once('error', (error) => fail('FSFREEZE_UNAVAILABLE', `cannot start the freeze holder: ${error.message}`));
      createInterface({ input: holder.stdout }).on('line', (line) => {
        let parsed: ReturnType<typeof HolderEvent.safeParse>;
        try {
          parsed = HolderEvent.safeParse(JSON.parse(line));
        } catch {
          return;
        }
        if (!parsed.success) return;
        const event = parsed.data;
        if (event.event === 'frozen') {
          frozen = true;
          this.#thawed = new Promise((resolveThawed) => (this.#resolveThawed = resolveThawed));
          resolve({ ok: true, mounts: event.mounts });
        } else if (event.event === 'freeze-failed') {
          fail(event.code, event.message);
        } else {
          thawedReported = true;
          this.#resolveThawed?.(event.errors.map((message) => ({ code: 'THAW_FAILED', message, step: 'fsfreeze' })));
          if (event.reason === 'deadline' || event.reason === 'signal') this.#onUnexpectedThaw('deadline');
        }
      });
      holder.once('exit', (code, signal) => {
        if (!frozen) return fail('FSFREEZE_FAILED', `the freeze holder exited (${code ?? signal}) before freezing`);
        if (thawedReported) return;
        // Killed outright: nothing thawed the mounts. Do it here, then tell the session.
        void this.#thawDirectly().then((errors) => {
          this.#resolveThawed?.(errors);
          this.#onUnexpectedThaw('holder-exited');
        });
      });
    });
  }

  /** Asks the holder to thaw and waits for it; safe to call any number of times. */
  async thaw(): Promise<AgentError[]> {
    const holder = this.#holder;
    if (!holder || !this.#thawed) return [];
    if (holder.exitCode === null && holder.signalCode === null) holder.stdin?.write('thaw\n');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<AgentError[]>((resolve) => {
      timer = setTimeout(() => {
        if (holder.pid !== undefined) holder.kill('SIGKILL');
        void this.#thawDirectly().then(resolve);
      }, HOLDER_THAW_WAIT_MS);
    });
    const errors = await Promise.race([this.#thawed, timedOut]);
    clearTimeout(timer);
    holder.stdin?.end();
    return errors;
  }

  async #thawDirectly(): Promise<AgentError[]> {
    const errors: AgentError[] = [];
    for (const mount of [...this.#mounts].reverse()) {
      const result = await fsfreezeCall(this.#options.binary, 'thaw', mount, 10_000);
      if (!result.ok && !result.notFrozen)
        errors.push({ code: 'THAW_FAILED', message: result.message, step: 'fsfreeze' });
    }
    return errors;
  }
}
