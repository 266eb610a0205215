import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookName,
  ProgrammingModel,
  RegisteredFunction,
  RpcLogCategory,
  RpcLogLevel,
} from './coreTypes.js';
import { Disposable } from './Disposable.js';

export type SystemLog = (level: RpcLogLevel, category: RpcLogCategory, message: string) => void;

/**
 * What the host hands to `@azure/functions` as `require('@azure/functions-core')`: it collects registrations, hooks and
 * the programming model, exactly as azure-functions-nodejs-worker's `setupCoreModule` does.
 */
export class CoreApi {
  readonly version = '3.10.1-local';
  readonly hostVersion = '4.1040.0-quiesce-local';
  readonly Disposable = Disposable;
  readonly functions = new Map<string, RegisteredFunction>();
  readonly #hooks = new Map<HookName, HookCallback[]>();
  #programmingModel: ProgrammingModel | undefined;
  #registrationOpen = true;
  #systemLog: SystemLog;

  constructor(systemLog: SystemLog) {
    this.#systemLog = systemLog;
  }

  registerFunction = (metadata: FunctionMetadata, callback: FunctionCallback): Disposable => {
    if (!this.#registrationOpen) throw new Error('A function can only be registered during app startup.');
    const id = metadata.functionId ?? metadata.name;
    if (this.functions.has(id)) throw new Error(`A function with id "${id}" has already been registered.`);
    this.functions.set(id, { metadata, callback });
    return new Disposable(() => {
      if (!this.#registrationOpen) throw new Error('A function can only be disposed during app startup.');
      this.functions.delete(id);
    });
  };

  registerHook = (name: HookName, callback: HookCallback): Disposable => {
    const callbacks = this.#hooks.get(name) ?? [];
    callbacks.push(callback);
    this.#hooks.set(name, callbacks);
    return new Disposable(() => {
      const index = callbacks.indexOf(callback);
      if (index >= 0) callbacks.splice(index, 1);
    });
  };

  setProgrammingModel = (programmingModel: ProgrammingModel): void => {
    this.#programmingModel = programmingModel;
  };

  getProgrammingModel = (): ProgrammingModel | undefined => this.#programmingModel;

  log = (level: RpcLogLevel, category: RpcLogCategory, message: string): void => {
    this.#systemLog(level, category, message);
  };

  closeRegistration(): void {
    this.#registrationOpen = false;
  }

  hooks(name: HookName): readonly HookCallback[] {
    return [...(this.#hooks.get(name) ?? [])];
  }

  async runHooks(name: HookName, context: Record<string, unknown>): Promise<void> {
    for (const hook of this.hooks(name)) await hook(context);
  }
}
