import * as df from 'durable-functions';

function retry(firstRetryMs: number, attempts: number, backoff: number, maxRetryMs: number): df.RetryOptions {
  const options = new df.RetryOptions(firstRetryMs, attempts);
  options.backoffCoefficient = backoff;
  options.maxRetryIntervalInMilliseconds = maxRetryMs;
  return options;
}

/**
 * Every retry policy, named, in one place. Only transient failures reach them: activities return expected outcomes
 * as values and throw only for 429/5xx/resets.
 */
export const retryPolicies = {
  /** ARM writes outside the freeze window (tags, deletes): patient, ARM throttles per principal. */
  armWrite: retry(2_000, 5, 2, 60_000),
  /** ARM reads (inventory, instance view). */
  armRead: retry(1_000, 4, 2, 30_000),
  /** Queue and table operations against our own storage account. */
  storage: retry(500, 5, 2, 10_000),
} as const;
