export interface ArmRequest {
  method: string;
  /** The decoded path, in the caller's case. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** Who called: from the bearer token (see principalFromToken). */
  principal: string;
  /** Named segments of the matched route template. */
  params: Record<string, string>;
  /** https://host:port, for the URLs the simulator hands out (nextLink, operation URLs). */
  baseUrl: string;
  /** When the request reached the simulator, before its modelled front-door latency (epoch ms). */
  receivedAtMs: number;
}

export interface ArmResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** An ARM error answer: `{"error":{"code","message"}}` with the given status. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toResponse(): ArmResponse {
    return { status: this.status, headers: this.headers, body: { error: { code: this.code, message: this.message } } };
  }
}

export function isArmError(error: unknown): error is ArmError {
  return error instanceof ArmError;
}
