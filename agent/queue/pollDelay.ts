/** `base` ± `jitter` (a fraction), so that a fleet of agents does not poll in lockstep. */
export function withJitter(baseMs: number, jitter: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(baseMs * (1 - jitter + 2 * jitter * random())));
}

/** Doubling back-off while the queue service fails: busy interval × 2^failures, capped. */
export function outageDelayMs(failures: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(failures, 20));
}

/** After a command, the busy interval holds this long, then doubles every step until it reaches the idle one. */
const LINGER_STEP_MS = 5_000;

/**
 * After a thaw the linger starts this far in (at 4 × the busy interval): the backup is over, and what comes next is
 * another run's ping, not a command of this one. Ten agents that thawed early would otherwise poll ten times a second
 * on the cores the other VMs' freeze windows share (locally), and for nothing.
 */
const AFTER_THAW_HEAD_START_MS = 2 * LINGER_STEP_MS;

/**
 * The interval while no backup is in progress, `sinceCommandMs` after the last command: busy at first (a ping is soon
 * followed by its freeze), then twice as long every 5 s, idle once the linger is over. An agent that has just finished
 * a backup does not ask its queue ten times a second for two minutes.
 */
export function lingerIntervalMs(
  sinceCommandMs: number,
  polling: { busyIntervalMs: number; idleIntervalMs: number; busyLingerMs: number },
  afterThaw = false,
): number {
  const { busyIntervalMs, idleIntervalMs, busyLingerMs } = polling;
  if (sinceCommandMs >= busyLingerMs) return idleIntervalMs;
  const lingered = sinceCommandMs + (afterThaw ? AFTER_THAW_HEAD_START_MS : 0);
  const doublings = Math.max(0, Math.floor(lingered / LINGER_STEP_MS));
  return Math.min(idleIntervalMs, busyIntervalMs * 2 ** Math.min(doublings, 20));
}
