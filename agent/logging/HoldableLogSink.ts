const DEFAULT_MAX_HELD_LINES = 10_000;

/**
 * Where the agent's log lines go. While a filesystem is frozen, anything that ends up on disk (journald, a redirected
 * stderr) would block the agent, so lines are held in memory and written after the thaw. Memory is bounded: past the
 * limit the oldest held lines are dropped and the drop is reported on release.
 */
export class HoldableLogSink {
  readonly #write: (text: string) => void;
  readonly #maxHeldLines: number;
  #held: string[] | undefined;
  #dropped = 0;

  constructor(write: (text: string) => void, maxHeldLines = DEFAULT_MAX_HELD_LINES) {
    this.#write = write;
    this.#maxHeldLines = maxHeldLines;
  }

  get holding(): boolean {
    return this.#held !== undefined;
  }

  /** The pino destination interface. */
  write(line: string): void {
    if (!this.#held) {
      this.#write(line);
      return;
    }
    this.#held.push(line);
    if (this.#held.length > this.#maxHeldLines) {
      this.#held.shift();
      this.#dropped++;
    }
  }

  hold(): void {
    this.#held ??= [];
  }

  release(): void {
    const held = this.#held;
    this.#held = undefined;
    if (!held) return;
    if (this.#dropped > 0) {
      this.#write(
        `${JSON.stringify({ level: 40, time: Date.now(), msg: `${this.#dropped} log lines dropped while frozen` })}\n`,
      );
      this.#dropped = 0;
    }
    if (held.length > 0) this.#write(held.join(''));
  }
}
