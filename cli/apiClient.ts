/** A thin client of the Quiesce HTTP API: JSON in, JSON out, API errors as one readable message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; issues?: { path: (string | number)[]; message: string }[] };
}

export class ApiClient {
  readonly #baseUrl: string;

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#baseUrl}/api/${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
    } catch (error: unknown) {
      throw new ApiError(
        0,
        `Cannot reach the Quiesce API at ${this.#baseUrl}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok)
      throw new ApiError(response.status, describeError(response.status, parsed as ErrorBody | undefined));
    return parsed as T;
  }
}

function describeError(status: number, body: ErrorBody | undefined): string {
  const error = body?.error;
  if (!error) return `The API answered ${status}.`;
  const issues = (error.issues ?? []).map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
  return [`${error.message ?? error.code ?? `HTTP ${status}`}`, ...issues].join('\n');
}
