import { inject } from 'vitest';

import { type HostProcess, PROJECT_DIR, startHostProcess, uniqueName } from './hostProcess.js';

export interface QuiesceHost extends HostProcess {
  /** This host's own table prefix and task hub: tests sharing one Azurite never see each other's data. */
  tablePrefix: string;
  taskHub: string;
}

/** The Quiesce app itself (package.json main) in a real host process against the shared Azurite. */
export async function startQuiesceHost(env: Record<string, string | undefined> = {}): Promise<QuiesceHost> {
  const tablePrefix = env.QUIESCE_TABLE_PREFIX ?? uniqueName('q').replace(/-/g, '');
  const taskHub = env.QUIESCE_TASK_HUB ?? uniqueName('hub').replace(/-/g, '');
  const host = await startHostProcess(PROJECT_DIR, {
    AzureWebJobsStorage: inject('azuriteConnectionString'),
    ...env,
    QUIESCE_TABLE_PREFIX: tablePrefix,
    QUIESCE_TASK_HUB: taskHub,
  });
  return Object.assign(host, { tablePrefix, taskHub });
}
