import type { TableClient } from '@azure/data-tables';

import { tableClient } from '../clients/tableClient.js';
import { statusCodeOf } from '../errors/restErrors.js';
import { BackupPolicy } from './BackupPolicy.js';

const PARTITION = 'policy';

export interface StoredPolicy {
  policy: BackupPolicy;
  etag: string;
  updatedAt: string;
}

export type SaveOutcome = { saved: StoredPolicy; created: boolean } | { conflict: true };

/** Backup policies in Azure Table storage (`<prefix>Policies`), one row per policy, guarded by ETags. */
export class PolicyStore {
  readonly #table: () => Promise<TableClient>;

  constructor(table: () => Promise<TableClient> = () => tableClient('Policies')) {
    this.#table = table;
  }

  async get(name: string): Promise<StoredPolicy | undefined> {
    const table = await this.#table();
    try {
      return toStored(await table.getEntity<Record<string, unknown>>(PARTITION, name));
    } catch (error: unknown) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }

  async list(): Promise<StoredPolicy[]> {
    const table = await this.#table();
    const policies: StoredPolicy[] = [];
    for await (const entity of table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: `PartitionKey eq '${PARTITION}'` },
    })) {
      policies.push(toStored(entity));
    }
    return policies.sort((a, b) => a.policy.name.localeCompare(b.policy.name));
  }

  /** Creates or replaces; with `ifMatch`, only while the stored ETag still matches (else a conflict). */
  async save(policy: BackupPolicy, ifMatch?: string): Promise<SaveOutcome> {
    const table = await this.#table();
    const entity = {
      partitionKey: PARTITION,
      rowKey: policy.name,
      Policy: JSON.stringify(policy),
      UpdatedAt: new Date().toISOString(),
    };
    try {
      if (ifMatch) {
        await table.updateEntity(entity, 'Replace', { etag: ifMatch });
        return { saved: await this.#required(policy.name), created: false };
      }
      const existed = (await this.get(policy.name)) !== undefined;
      await table.upsertEntity(entity, 'Replace');
      return { saved: await this.#required(policy.name), created: !existed };
    } catch (error: unknown) {
      if (statusCodeOf(error) === 412 || (ifMatch && statusCodeOf(error) === 404)) return { conflict: true };
      throw error;
    }
  }

  async delete(name: string): Promise<boolean> {
    const table = await this.#table();
    try {
      await table.deleteEntity(PARTITION, name);
      return true;
    } catch (error: unknown) {
      if (statusCodeOf(error) === 404) return false;
      throw error;
    }
  }

  async #required(name: string): Promise<StoredPolicy> {
    const stored = await this.get(name);
    if (!stored) throw new Error(`Policy ${name} vanished right after it was saved.`);
    return stored;
  }
}

function toStored(entity: Record<string, unknown>): StoredPolicy {
  return {
    policy: BackupPolicy.parse(JSON.parse(String(entity.Policy))),
    etag: String(entity.etag),
    updatedAt: String(entity.UpdatedAt),
  };
}
