import type { TableClient } from '@azure/data-tables';

import { tableClient } from '../clients/tableClient.js';

export type SlotOutcome = 'started' | 'skipped-previous-running' | 'missed' | 'disabled';

export interface SlotRecord {
  policy: string;
  slot: string;
  outcome: SlotOutcome;
  runId?: string;
  reason?: string;
  recordedAt: string;
}

/**
 * Every scheduled slot of every policy, claimed exactly once: the row is inserted (never upserted), so of two timer
 * firings or two hosts only one gets the slot. Skipped and missed slots are recorded with their reason.
 */
export class SlotLedger {
  readonly #table: () => Promise<TableClient>;

  constructor(table: () => Promise<TableClient> = () => tableClient('Slots')) {
    this.#table = table;
  }

  /** True when this caller now owns the slot; false when it was already claimed. */
  async claim(record: Omit<SlotRecord, 'recordedAt'>): Promise<boolean> {
    const table = await this.#table();
    try {
      await table.createEntity({
        partitionKey: record.policy,
        rowKey: record.slot,
        Outcome: record.outcome,
        RunId: record.runId,
        Reason: record.reason,
        RecordedAt: new Date().toISOString(),
      });
      return true;
    } catch (error: unknown) {
      if ((error as { statusCode?: number }).statusCode === 409) return false;
      throw error;
    }
  }

  async lastSlot(policy: string): Promise<Date | undefined> {
    const records = await this.list(policy);
    const last = records.at(-1);
    return last ? new Date(last.slot) : undefined;
  }

  async list(policy: string): Promise<SlotRecord[]> {
    const table = await this.#table();
    const records: SlotRecord[] = [];
    for await (const row of table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: `PartitionKey eq '${policy.replace(/'/g, "''")}'` },
    })) {
      records.push({
        policy,
        slot: String(row.rowKey),
        outcome: row.Outcome as SlotOutcome,
        ...(typeof row.RunId === 'string' ? { runId: row.RunId } : {}),
        ...(typeof row.Reason === 'string' ? { reason: row.Reason } : {}),
        recordedAt: String(row.RecordedAt),
      });
    }
    return records.sort((a, b) => a.slot.localeCompare(b.slot));
  }
}
