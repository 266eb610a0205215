/** An expected refusal of a client operation, with the HTTP status the management API answers. */
export class DurableError extends Error {
  constructor(
    readonly statusCode: 400 | 404 | 409 | 410,
    message: string,
  ) {
    super(message);
    this.name = 'DurableError';
  }
}

export function isDurableError(error: unknown): error is DurableError {
  return error instanceof DurableError;
}
