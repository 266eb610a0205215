import { ArmError } from '../http/ArmHttp.js';
import type { RequestClass } from '../http/Router.js';
import type { SimSettings } from '../simSettings.js';
import { TokenBucket } from './TokenBucket.js';

const REMAINING_HEADER: Record<RequestClass, string> = {
  read: 'x-ms-ratelimit-remaining-subscription-reads',
  write: 'x-ms-ratelimit-remaining-subscription-writes',
  delete: 'x-ms-ratelimit-remaining-subscription-deletes',
};

const BUCKET_SETTING: Record<RequestClass, 'reads' | 'writes' | 'deletes'> = {
  read: 'reads',
  write: 'writes',
  delete: 'deletes',
};

/**
 * ARM's throttling: a bucket per principal and request class (front door, §4.1 of the reference) and CRP's per-VM
 * "Low Cost Get" bucket for VM GET and instance view (§4.2). A rejected request costs no token, as on ARM.
 */
export class Throttle {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly vmBuckets = new Map<string, TokenBucket>();
  rejected = 0;
  /** Requests let through, per class (the figures a run's lower bound is computed from). */
  readonly admitted: Record<RequestClass, number> = { read: 0, write: 0, delete: 0 };
  /** When each client request id (kept by the SDK across its retries) was last answered 429 and not yet retried. */
  private readonly throttledAt = new Map<string, number>();
  /** How long clients waited between a 429 and their retry of the same request, in ms. */
  readonly backoffsMs: number[] = [];

  constructor(
    private readonly settings: SimSettings['throttle'],
    private readonly subscriptionId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token for the request or throws a 429; returns the headers to add to the answer. */
  admit(principal: string, kind: RequestClass, clientRequestId?: string): Record<string, string> {
    if (clientRequestId) this.noteRetry(clientRequestId);
    if (!this.settings.enabled) {
      this.admitted[kind] += 1;
      return {};
    }
    const bucket = this.bucket(this.buckets, `${principal}|${kind}`, this.settings[BUCKET_SETTING[kind]]);
    if (!bucket.tryTake()) {
      this.rejected += 1;
      if (clientRequestId) this.throttledAt.set(clientRequestId, this.now());
      const retryAfter = bucket.retryAfterSeconds();
      throw new ArmError(
        429,
        'SubscriptionRequestsThrottled',
        `Number of '${kind}' requests for subscription '${this.subscriptionId}' actor '${principal}' exceeded. ` +
          `Please try again after '${retryAfter}' seconds after additional tokens are available. ` +
          'Refer to https://aka.ms/arm-throttling',
        { 'retry-after': String(retryAfter), [REMAINING_HEADER[kind]]: '0' },
      );
    }
    this.admitted[kind] += 1;
    return { [REMAINING_HEADER[kind]]: String(bucket.remaining) };
  }

  /** Throttled requests that were never tried again (their client gave up). */
  get abandoned(): number {
    return this.throttledAt.size;
  }

  private noteRetry(clientRequestId: string): void {
    const at = this.throttledAt.get(clientRequestId);
    if (at === undefined) return;
    this.throttledAt.delete(clientRequestId);
    this.backoffsMs.push(this.now() - at);
  }

  /** CRP's per-VM bucket for GET VM and instance view; returns the x-ms-ratelimit-remaining-resource header. */
  admitVmGet(vmId: string): Record<string, string> {
    if (!this.settings.enabled) return {};
    const bucket = this.bucket(this.vmBuckets, vmId.toLowerCase(), this.settings.vmGetPerVm);
    const policy = 'Microsoft.Compute/LowCostGetVM1Min';
    if (!bucket.tryTake()) {
      this.rejected += 1;
      const retryAfter = bucket.retryAfterSeconds();
      const error = new ArmError(
        429,
        'OperationNotAllowed',
        'The server rejected the request because too many requests have been received for this resource.',
        { 'retry-after': String(retryAfter), 'x-ms-ratelimit-remaining-resource': `${policy};0` },
      );
      throw error;
    }
    return { 'x-ms-ratelimit-remaining-resource': `${policy};${bucket.remaining}` };
  }

  private bucket(map: Map<string, TokenBucket>, key: string, quota: { burst: number; perSecond: number }): TokenBucket {
    let bucket = map.get(key);
    if (!bucket) {
      const scale = this.settings.scale;
      bucket = new TokenBucket(quota.burst * scale, quota.perSecond * scale, this.now);
      map.set(key, bucket);
    }
    return bucket;
  }
}
