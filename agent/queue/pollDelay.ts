/** `base` ± `jitter` (a fraction), so that a fleet of agents does not poll in lockstep. */
export function withJitter(baseMs: number, jitter: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(baseMs * (1 - jitter + 2 * jitter * random())));
}

/** Doubling back-off while the queue service fails: busy interval × 2^failures, capped. */
export function outageDelayMs(failures: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(failures, 20));
}
