import {
  createDefaultHttpClient,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  RestError,
} from '@azure/core-rest-pipeline';
import { z } from 'zod';

/** The body of an Azure-AsyncOperation URL (ARM's async operation protocol); Disk RP puts the resource in `output`. */
const AsyncOperationBody = z.object({
  status: z.string(),
  error: z.object({ code: z.string().optional(), message: z.string().optional() }).optional(),
  properties: z.object({ output: z.unknown().optional() }).optional(),
});
export type AsyncOperation = z.infer<typeof AsyncOperationBody>;

const TERMINAL = /^(succeeded|failed|canceled)$/i;

export function isTerminal(operation: AsyncOperation): boolean {
  return TERMINAL.test(operation.status);
}

let httpClient: HttpClient | undefined;

/**
 * One look at an ARM async operation through the ARM client's own pipeline (its credential, retries, throttle gate
 * and read budget). The SDK's poller is not used for the look inside the freeze window: after the operation reports
 * Succeeded it GETs the resource once more, a read that would keep the guest frozen for nothing.
 */
export async function readAsyncOperation(
  pipeline: Pipeline,
  url: string,
  abortSignal: AbortSignal,
): Promise<AsyncOperation> {
  httpClient ??= createDefaultHttpClient();
  const request = createPipelineRequest({ url, method: 'GET', abortSignal });
  const response = await pipeline.sendRequest(httpClient, request);
  const text = response.bodyAsText ?? '';
  if (response.status !== 200) {
    const error = parseError(text);
    throw new RestError(error.message ?? `operation status answered ${response.status}`, {
      statusCode: response.status,
      ...(error.code ? { code: error.code } : {}),
      request,
      response,
    });
  }
  return AsyncOperationBody.parse(JSON.parse(text));
}

function parseError(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return body.error ?? {};
  } catch {
    return {};
  }
}
