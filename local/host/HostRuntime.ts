import type { HostJson } from './app/hostJson.js';
import type { CoreApi } from './core/CoreApi.js';
import type { RegisteredFunction, RpcParameterBinding, RpcTypedData } from './core/coreTypes.js';
import { InFlight } from './InFlight.js';
import {
  ensureError,
  type InvocationOutcome,
  type InvocationRequest,
  invokeFunction,
} from './invoke/invokeFunction.js';
import type { Logger } from './logger.js';
import { writeOutputBindings } from './outputBindings.js';
import type { QueueOutput } from './queue/QueueOutput.js';
import type { QueueWatcher } from './queue/QueueWatcher.js';
import type { StorageClients } from './storage/StorageClients.js';

/** What every listener shares: invoking a function (tracked for shutdown, outputs written) and the host's services. */
export class HostRuntime {
  readonly inFlight = new InFlight();
  readonly appHookData: Record<string, unknown> = {};
  /** Values of input bindings the host supplies itself, by binding type (e.g. `durableClient`). */
  readonly inputBindingValues = new Map<string, RpcTypedData>();

  constructor(
    readonly appDir: string,
    readonly hostId: string,
    readonly hostJson: HostJson,
    readonly coreApi: CoreApi,
    readonly logger: Logger,
    readonly storage: StorageClients,
    readonly queueWatcher: QueueWatcher,
    readonly queueOutput: QueueOutput,
  ) {}

  invoke(registered: RegisteredFunction, request: InvocationRequest): Promise<InvocationOutcome> {
    const extraInputs = this.#hostSuppliedInputs(registered);
    const withInputs = extraInputs.length
      ? { ...request, inputData: [...(request.inputData ?? []), ...extraInputs] }
      : request;
    return this.inFlight.track(this.#invokeAndWriteOutputs(registered, withInputs));
  }

  #hostSuppliedInputs(registered: RegisteredFunction): RpcParameterBinding[] {
    const inputs: RpcParameterBinding[] = [];
    for (const [name, binding] of Object.entries(registered.metadata.bindings)) {
      if (binding.direction !== 'in') continue;
      const value = this.inputBindingValues.get(String(binding.type));
      if (value) inputs.push({ name, data: value });
    }
    return inputs;
  }

  async #invokeAndWriteOutputs(registered: RegisteredFunction, request: InvocationRequest): Promise<InvocationOutcome> {
    const outcome = await invokeFunction(this.coreApi, this.logger, registered, request, this.appHookData);
    if (!outcome.succeeded) return outcome;
    try {
      await writeOutputBindings(registered.metadata, outcome.response, this.queueOutput);
      return outcome;
    } catch (thrown: unknown) {
      const error = ensureError(thrown);
      this.logger.error(
        { function: registered.metadata.name, invocationId: outcome.invocationId, err: error },
        `Output bindings of 'Functions.${registered.metadata.name}' failed`,
      );
      return { invocationId: outcome.invocationId, succeeded: false, error, durationMs: outcome.durationMs };
    }
  }
}
