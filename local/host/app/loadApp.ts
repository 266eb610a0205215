import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import fg from 'fast-glob';

import type { CoreApi } from '../core/CoreApi.js';

/** Capabilities the real Node worker advertises (azure-functions-nodejs-worker getWorkerCapabilities). */
const WORKER_CAPABILITIES: Record<string, string> = {
  RawHttpBodyBytes: 'true',
  RpcHttpTriggerMetadataRemoved: 'true',
  RpcHttpBodyOnly: 'true',
  IgnoreEmptyValuedRpcHttpHeaders: 'true',
  UseNullableValueDictionaryForHttp: 'true',
  WorkerStatus: 'true',
  TypedDataCollection: 'true',
  HandlesWorkerTerminateMessage: 'true',
  HandlesWorkerWarmupMessage: 'true',
};

interface PackageJson {
  main?: string;
  type?: string;
}

/**
 * Loads a v4 app the way the worker does: every file matched by package.json `main` (a path or a glob), CommonJS
 * through `require`, ESM through `import()`; then locks setup through `getCapabilities` and runs `appStart` hooks.
 * The core module must already be installed.
 */
export async function loadApp(appDir: string, coreApi: CoreApi): Promise<string[]> {
  const packageJson = JSON.parse(await readFile(path.join(appDir, 'package.json'), 'utf8')) as PackageJson;
  const main = packageJson.main ?? 'index.js';
  const entryFiles = (await fg(main.replace(/\\/g, '/'), { cwd: appDir, absolute: true, onlyFiles: true })).sort();
  if (entryFiles.length === 0) {
    throw new Error(`package.json "main" (${main}) matches no file under ${appDir}. Did you build the app?`);
  }

  const requireFromApp = createRequire(path.join(appDir, 'package.json'));
  for (const file of entryFiles) {
    if (isEsModule(file, packageJson)) await import(pathToFileURL(file).href);
    else requireFromApp(file);
  }

  const programmingModel = coreApi.getProgrammingModel();
  if (!programmingModel) {
    throw new Error(`No programming model was registered by ${main}. Is the app built on @azure/functions v4?`);
  }
  const capabilities = (await programmingModel.getCapabilities?.({ ...WORKER_CAPABILITIES })) ?? {};
  if (capabilities.HttpUri) {
    throw new Error('app.setup({ enableHttpStream: true }) is not supported by the local host; remove it to run here.');
  }
  coreApi.closeRegistration();
  await coreApi.runHooks('appStart', { hookData: {}, appHookData: {}, functionAppDirectory: appDir });
  return entryFiles;
}

function isEsModule(file: string, packageJson: PackageJson): boolean {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  return packageJson.type === 'module';
}
