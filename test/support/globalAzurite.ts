import type { TestProject } from 'vitest/node';

import { startAzurite } from '../../local/azurite/startAzurite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

/** One in-memory Azurite for the whole run; tests isolate themselves with unique queue names and host ids. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide('azuriteConnectionString', azurite.connectionString);
  return () => azurite.stop();
}
