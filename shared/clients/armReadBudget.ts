import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** ARM answers every request with what is left of the caller's read bucket (reference §4.1). */
const REMAINING_READS_HEADER = 'x-ms-ratelimit-remaining-subscription-reads';
/** ARM refills a principal's read bucket at 25 reads per second (its burst is 250). */
const READS_REFILL_PER_SECOND = 25;
/** Below this many reads left, the pollers slow down: at half of it, together they poll at the refill rate. */
const READS_RESERVE = 100;
/** The longest pause between two polls of one poller, however low the bucket (a 429 costs ≥ 1 s anyway). */
const MAX_POLL_DELAY_MS = 2_000;
/** An older figure says little: the bucket has refilled meanwhile. */
const OBSERVATION_TTL_MS = 1_000;

/** One poller's share of the budget: how long to pause before each poll, and leaving when it is done. */
export interface BudgetedPoller {
  nextDelayMs(fastMs: number): number;
  leave(): void;
}

/**
 * What ARM says is left of this app's read bucket in one subscription, as this process last saw it, shared by the
 * pollers of this process. While reads are plentiful each poller polls at its own fast interval; as the bucket runs low,
 * the pollers together slow to the refill rate (at half the reserve) and below it, so a wave of frozen VMs spends ARM's
 * burst on fast polls without tripping into 429s, whose Retry-After of whole seconds would land inside every freeze
 * window of the wave.
 */
export class ArmReadBudget {
  readonly #now: () => number;
  #remaining: number | undefined;
  #seenAtMs = 0;
  #pollers = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  observe(remaining: number): void {
    this.#remaining = remaining;
    this.#seenAtMs = this.#now();
  }

  join(): BudgetedPoller {
    this.#pollers++;
    let left = false;
    return {
      nextDelayMs: (fastMs) => this.#delayMs(fastMs),
      leave: () => {
        if (!left) this.#pollers--;
        left = true;
      },
    };
  }

  #delayMs(fastMs: number): number {
    const remaining = this.#remaining;
    if (remaining === undefined || remaining >= READS_RESERVE || this.#now() - this.#seenAtMs > OBSERVATION_TTL_MS)
      return fastMs;
    // All pollers together may poll this often: unbounded at the reserve, the refill rate at half of it, none at 0.
    const readsPerSecond = (READS_REFILL_PER_SECOND * Math.max(remaining, 0)) / (READS_RESERVE - remaining);
    const delayMs = readsPerSecond > 0 ? (1000 * Math.max(this.#pollers, 1)) / readsPerSecond : MAX_POLL_DELAY_MS;
    return Math.round(Math.min(MAX_POLL_DELAY_MS, Math.max(fastMs, delayMs)));
  }
}

const budgets = new Map<string, ArmReadBudget>();

/** The read budget of this app's principal in a subscription (the app calls ARM with one identity). */
export function armReadBudget(subscriptionId: string): ArmReadBudget {
  const key = subscriptionId.toLowerCase();
  let budget = budgets.get(key);
  if (!budget) {
    budget = new ArmReadBudget();
    budgets.set(key, budget);
  }
  return budget;
}

/** A pipeline policy for ARM clients: every answer's remaining-reads header goes into its subscription's budget. */
export function armReadBudgetPolicy(): PipelinePolicy {
  return {
    name: 'quiesceArmReadBudget',
    async sendRequest(request, next) {
      const response = await next(request);
      const header = response.headers.get(REMAINING_READS_HEADER);
      const subscriptionId = /\/subscriptions\/([^/?]+)/i.exec(request.url)?.[1];
      if (header !== undefined && subscriptionId !== undefined && Number.isFinite(Number(header)))
        armReadBudget(subscriptionId).observe(Number(header));
      return response;
    },
  };
}
