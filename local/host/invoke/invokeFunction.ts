import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import type { CoreApi } from '../core/CoreApi.js';
import type {
  CoreInvocationContext,
  HookData,
  RegisteredFunction,
  RpcInvocationRequest,
  RpcInvocationResponse,
} from '../core/coreTypes.js';
import { logAtRpcLevel, type Logger } from '../logger.js';

export type InvocationOutcome =
  | { invocationId: string; succeeded: true; response: RpcInvocationResponse; durationMs: number }
  | { invocationId: string; succeeded: false; error: Error; durationMs: number };

export interface InvocationRequest {
  inputData: RpcInvocationRequest['inputData'];
  triggerMetadata?: RpcInvocationRequest['triggerMetadata'];
  retryContext?: RpcInvocationRequest['retryContext'];
  /** Why the host invokes, as the real host logs it: "This function was programmatically called via the host APIs." */
  reason: string;
}

/**
 * One invocation through the library's own invocation model, with pre/post hooks, in the order of the worker's
 * InvocationHandler. A thrown handler error (or a hook's) is an unsuccessful outcome, never a rejection.
 */
export async function invokeFunction(
  coreApi: CoreApi,
  logger: Logger,
  registered: RegisteredFunction,
  request: InvocationRequest,
  appHookData: HookData = {},
): Promise<InvocationOutcome> {
  const invocationId = randomUUID();
  const { metadata, callback } = registered;
  const functionId = metadata.functionId ?? metadata.name;
  const log = logger.child({ function: metadata.name, invocationId });
  const coreContext: CoreInvocationContext = {
    invocationId,
    request: { invocationId, functionId, ...request },
    metadata: { name: metadata.name, functionId, bindings: metadata.bindings },
    log: (level, category, message) => logAtRpcLevel(log, level, { category }, message),
  };
  const startedAt = performance.now();
  log.info(
    { reason: request.reason },
    `Executing 'Functions.${metadata.name}' (Reason='${request.reason}', Id=${invocationId})`,
  );

  const finish = (outcome: { response: RpcInvocationResponse } | { error: Error }): InvocationOutcome => {
    const durationMs = Math.round((performance.now() - startedAt) * 100) / 100;
    if ('error' in outcome) {
      log.error(
        { err: outcome.error, durationMs },
        `Executed 'Functions.${metadata.name}' (Failed, Id=${invocationId}, Duration=${durationMs}ms)`,
      );
      return { invocationId, succeeded: false, error: outcome.error, durationMs };
    }
    log.info(
      { durationMs },
      `Executed 'Functions.${metadata.name}' (Succeeded, Id=${invocationId}, Duration=${durationMs}ms)`,
    );
    return { invocationId, succeeded: true, response: outcome.response, durationMs };
  };

  try {
    const programmingModel = coreApi.getProgrammingModel();
    if (!programmingModel) throw new Error('No programming model is registered.');
    const model = programmingModel.getInvocationModel(coreContext);
    const { context, inputs } = await model.getArguments();
    const hookData: HookData = {};

    coreContext.state = 'preInvocationHooks';
    const preContext = { hookData, appHookData, invocationContext: context, inputs, functionCallback: callback };
    await coreApi.runHooks('preInvocation', preContext);

    coreContext.state = 'invocation';
    let result: unknown;
    let error: unknown;
    try {
      result = await model.invokeFunction(context, preContext.inputs, preContext.functionCallback);
    } catch (thrown: unknown) {
      error = thrown;
    }

    coreContext.state = 'postInvocationHooks';
    const postContext = { hookData, appHookData, invocationContext: context, inputs: preContext.inputs, result, error };
    await coreApi.runHooks('postInvocation', postContext);
    coreContext.state = undefined;

    if (postContext.error !== undefined && postContext.error !== null) throw ensureError(postContext.error);
    return finish({ response: await model.getResponse(context, postContext.result) });
  } catch (thrown: unknown) {
    return finish({ error: ensureError(thrown) });
  }
}

export function ensureError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : `Non-error value thrown: ${JSON.stringify(value)}`);
}
