import { type VssHelperCommand, VssQuiescer } from './VssQuiescer.js';

/** Long enough for the freeze that follows a backup's ping, even behind a slow preflight. */
const STANDBY_MS = 60_000;

/**
 * The VSS helper a ping started to probe it, kept ready for the freeze that follows, so that a backup starts one
 * helper and not two (a real helper's start-up is VSS's own initialisation). Ended when no freeze takes it in time.
 */
export class StandbyVssHelper {
  readonly #command: VssHelperCommand;
  readonly #standbyMs: number;
  #standby: { quiescer: VssQuiescer; timer: NodeJS.Timeout } | undefined;

  constructor(command: VssHelperCommand, standbyMs = STANDBY_MS) {
    this.#command = command;
    this.#standbyMs = standbyMs;
  }

  /** Starts a helper and reports whether it is usable; a usable one stands by (replacing any earlier one). */
  async probe(): Promise<{ usable: boolean; reason?: string }> {
    const quiescer = new VssQuiescer(this.#command);
    const result = await quiescer.warmUp();
    if (!result.usable) return result;
    this.release();
    const timer = setTimeout(() => this.release(), this.#standbyMs);
    timer.unref();
    this.#standby = { quiescer, timer };
    return result;
  }

  /** The helper standing by, if any, for a freeze to use; it is no longer this object's to end. */
  take(): VssQuiescer | undefined {
    const standby = this.#standby;
    if (!standby) return undefined;
    clearTimeout(standby.timer);
    this.#standby = undefined;
    return standby.quiescer;
  }

  release(): void {
    this.take()?.release();
  }
}
