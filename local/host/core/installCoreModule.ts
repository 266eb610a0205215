import Module from 'node:module';

import type { CoreApi } from './CoreApi.js';

const CORE_MODULE_ID = '@azure/functions-core';

/**
 * Makes `require('@azure/functions-core')` return the host's core API, as the real worker does. Must run before the
 * app (or `@azure/functions`) is first loaded: the library caches the first resolution and otherwise drops every
 * registration ("test mode"). ESM apps are covered too, since `@azure/functions` itself is CommonJS.
 */
export function installCoreModule(coreApi: CoreApi): () => void {
  const prototype = Module.prototype as unknown as { require: (id: string) => unknown };
  const original = prototype.require;
  prototype.require = new Proxy(original, {
    apply(target, thisArg, args: [string]) {
      return args[0] === CORE_MODULE_ID ? coreApi : Reflect.apply(target, thisArg, args);
    },
  });
  return () => {
    prototype.require = original;
  };
}
