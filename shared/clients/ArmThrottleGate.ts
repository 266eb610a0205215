import type { PipelinePolicy, PipelineRequest, PipelineResponse, SendRequest } from '@azure/core-rest-pipeline';

type RequestClass = 'read' | 'write' | 'delete';

/** A throttled request keeps trying this long before its 429 goes to the caller (and the SDK's own retries). */
const GIVE_UP_AFTER_MS = 120_000;
/** When a 429 names no Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 1_000;

/**
 * ARM throttles per principal and request class with token buckets (reference §4.1): once one request is told to
 * retry after N seconds, every other request of that class would be too. So the first 429 closes the gate for the
 * whole class for Retry-After, and the requests queued behind it go together when it opens, instead of each one
 * finding its own 429 and backing off on its own (the SDK's default, which spreads into long exponential back-offs
 * under a large fan-out). A 429 of a resource's own bucket (CRP's per-VM GETs) holds only that request.
 * Sits after the SDK's retry policy (`perRetry`), so the SDK sees a 429 only when the gate gives up.
 */
export class ArmThrottleGate {
  readonly #openAt: Record<RequestClass, number> = { read: 0, write: 0, delete: 0 };
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignalLike) => Promise<void>;
  /** Every pause a request took because of a 429, in ms (for benchmarks and logs). */
  readonly pausesMs: number[] = [];

  constructor(now: () => number = Date.now, sleep = abortableSleep) {
    this.#now = now;
    this.#sleep = sleep;
  }

  policy(): PipelinePolicy {
    return { name: 'quiesceArmThrottleGate', sendRequest: (request, next) => this.send(request, next) };
  }

  async send(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse> {
    const kind = requestClass(request.method);
    const startedAt = this.#now();
    let ownWaitUntil = 0;
    for (;;) {
      const waitMs = Math.max(this.#openAt[kind], ownWaitUntil) - this.#now();
      if (waitMs > 0) {
        await this.#sleep(waitMs, request.abortSignal);
        this.pausesMs.push(waitMs);
      }
      const response = await next(request);
      if (response.status !== 429) return response;
      const retryAt = this.#now() + retryAfterMs(response);
      if (retryAt - startedAt > GIVE_UP_AFTER_MS) return response;
      if (response.headers.get('x-ms-ratelimit-remaining-resource') !== undefined) ownWaitUntil = retryAt;
      else this.#openAt[kind] = Math.max(this.#openAt[kind], retryAt);
    }
  }
}

interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

function requestClass(method: string): RequestClass {
  if (method === 'GET' || method === 'HEAD') return 'read';
  return method === 'DELETE' ? 'delete' : 'write';
}

/** Retry-After in ms: `retry-after-ms`, `x-ms-retry-after-ms`, or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(response: PipelineResponse): number {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(response.headers.get(name));
    if (response.headers.get(name) !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const header = response.headers.get('retry-after');
  if (header === undefined) return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, date - Date.now());
}

function abortableSleep(ms: number, signal?: AbortSignalLike): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(): Error {
  const error = new Error('The operation was aborted while waiting out ARM throttling.');
  error.name = 'AbortError';
  return error;
}
