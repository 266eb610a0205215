import { isRestError } from '@azure/core-rest-pipeline';

/** The HTTP status of a failed Azure SDK call (storage or ARM), if it got an answer. */
export function statusCodeOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}

/** ARM answered 404: the resource is gone (an expected outcome, returned as a value). */
export function isNotFound(error: unknown): boolean {
  return isRestError(error) && error.statusCode === 404;
}

/** A failure worth retrying: throttling, a server error, or no answer at all. */
export function isTransient(error: unknown): boolean {
  if (!isRestError(error)) return true;
  const status = error.statusCode;
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/** A short, stable description of an ARM failure for evidence and logs: "409 OperationNotAllowed: …". */
export function describeArmError(error: unknown): string {
  if (isRestError(error))
    return `${error.statusCode ?? 'no response'} ${error.code ?? 'Error'}: ${error.message}`.slice(0, 500);
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
