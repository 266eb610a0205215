import { TableClient } from '@azure/data-tables';
import { inject } from 'vitest';

import { uniqueName } from './hostProcess.js';

/** A table name no other test uses: `<prefix>` and a unique suffix, letters and digits only as Table names need. */
export function uniqueTableName(prefix: string): string {
  return uniqueName(prefix).replace(/-/g, '');
}

/**
 * The table `name` in the tests' Azurite, created once: the `() => Promise<TableClient>` the table-backed stores
 * (RunDispatch, VmLocks, AgentRegistry, SlotLedger, RunStore) take instead of the app's own tables.
 */
export function azuriteTable(name: string): () => Promise<TableClient> {
  const table = TableClient.fromConnectionString(inject('azuriteConnectionString'), name, {
    allowInsecureConnection: true,
  });
  const ready = table.createTable().then(() => table);
  return () => ready;
}
