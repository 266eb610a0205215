import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';

/** The error body every Quiesce API answers with: a stable code, a sentence, and for bad input the zod issues. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: z.core.$ZodIssue[] };
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  issues?: z.core.$ZodIssue[],
): HttpResponseInit {
  const body: ErrorBody = { error: { code, message, ...(issues ? { issues } : {}) } };
  return { status, jsonBody: body };
}

export function invalidRequest(error: z.ZodError, what = 'request'): HttpResponseInit {
  return errorResponse(
    400,
    'InvalidRequest',
    `The ${what} is invalid: ${error.issues.map(describeIssue).join('; ')}`,
    error.issues,
  );
}

export function notFound(message: string): HttpResponseInit {
  return errorResponse(404, 'NotFound', message);
}

/** The body as JSON, or a 400 response saying it is not JSON. */
export async function readJsonBody(
  request: HttpRequest,
): Promise<{ ok: true; value: unknown } | { ok: false; response: HttpResponseInit }> {
  const text = await request.text();
  try {
    return { ok: true, value: text.trim() === '' ? {} : (JSON.parse(text) as unknown) };
  } catch (error: unknown) {
    return {
      ok: false,
      response: errorResponse(
        400,
        'InvalidJson',
        `The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      ),
    };
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}
