const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Remembers accepted message ids until they expire. Memory is bounded: when full after dropping expired ids, the id
 * closest to expiry is forgotten first (it is the one whose replay window is shortest). Only messages that passed the
 * signature check are recorded, so a forger cannot flush it.
 */
export class ReplayGuard {
  readonly #expiryById = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(maxEntries = DEFAULT_MAX_ENTRIES) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#expiryById.size;
  }

  has(id: string, nowMs: number): boolean {
    const expiry = this.#expiryById.get(id);
    return expiry !== undefined && expiry >= nowMs;
  }

  remember(id: string, expiresAtMs: number, nowMs: number): void {
    if (this.#expiryById.size >= this.#maxEntries) this.#prune(nowMs);
    if (this.#expiryById.size >= this.#maxEntries) {
      let soonestId: string | undefined;
      let soonest = Number.POSITIVE_INFINITY;
      for (const [knownId, expiry] of this.#expiryById) {
        if (expiry < soonest) [soonest, soonestId] = [expiry, knownId];
      }
      if (soonestId !== undefined) this.#expiryById.delete(soonestId);
    }
    this.#expiryById.set(id, expiresAtMs);
  }

  /** Lets an accepted id in again: its message could not be acted on and is coming back for another attempt. */
  forget(id: string): void {
    this.#expiryById.delete(id);
  }

  #prune(nowMs: number): void {
    for (const [id, expiry] of this.#expiryById) if (expiry < nowMs) this.#expiryById.delete(id);
  }
}
