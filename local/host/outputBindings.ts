import type { FunctionMetadata, RpcInvocationResponse, RpcTypedData } from './core/coreTypes.js';
import type { QueueOutput } from './queue/QueueOutput.js';

export const RETURN_BINDING = '$return';

/** Output binding types the host writes itself; `http` is answered by the HTTP listener. */
export const SUPPORTED_OUTPUT_TYPES = new Set(['queue', 'http']);

export function outputValue(response: RpcInvocationResponse, bindingName: string): RpcTypedData | undefined {
  if (bindingName === RETURN_BINDING) return response.returnValue ?? undefined;
  return response.outputData?.find((output) => output.name === bindingName)?.data ?? undefined;
}

/** Writes every non-HTTP output binding of a successful invocation. */
export async function writeOutputBindings(
  metadata: FunctionMetadata,
  response: RpcInvocationResponse,
  queueOutput: QueueOutput,
): Promise<void> {
  for (const [name, binding] of Object.entries(metadata.bindings)) {
    if (binding.direction !== 'out' || binding.type?.toLowerCase() !== 'queue') continue;
    const value = outputValue(response, name);
    if (value) await queueOutput.send(binding, value);
  }
}
