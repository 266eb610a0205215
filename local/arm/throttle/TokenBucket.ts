/** A token bucket: `burst` tokens at most, refilled continuously at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private updatedAtMs: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.updatedAtMs = now();
  }

  /** Takes one token if there is one. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whole tokens left. */
  get remaining(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Seconds until one token is back (at least 1, as ARM's Retry-After is in whole seconds). */
  retryAfterSeconds(): number {
    this.refill();
    if (this.perSecond <= 0) return 3600;
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
  }

  private refill(): void {
    const nowMs = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.updatedAtMs) / 1000) * this.perSecond);
    this.updatedAtMs = nowMs;
  }
}
