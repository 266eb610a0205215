import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';

import { tableClient } from '../clients/tableClient.js';
import { CONSISTENCY_LEVELS } from './consistency.js';

export const RunRecord = z.object({
  runId: z.string(),
  kind: z.enum(['scheduled', 'on-demand']),
  policy: z.string().optional(),
  slot: z.string().optional(),
  status: z.enum(['Running', 'Success', 'Warning', 'Failed', 'Canceled', 'Skipped']),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  vms: z.number().int().min(0),
  counts: z.record(z.enum(CONSISTENCY_LEVELS), z.number().int()).optional(),
  reason: z.string().optional(),
});
export type RunRecord = z.infer<typeof RunRecord>;

export const VmResult = z.object({
  runId: z.string(),
  vmId: z.string(),
  vmName: z.string(),
  consistency: z.enum(CONSISTENCY_LEVELS),
  reason: z.string(),
  warnings: z.array(z.string()).default([]),
  instanceId: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  freezeWindowMs: z.number().optional(),
  snapshots: z
    .array(z.object({ disk: z.string(), snapshotId: z.string().optional(), pointInTime: z.string().optional() }))
    .default([]),
  /** Everything the verdict was decided from: replies, exit codes, output tails, VSS writer states. */
  evidence: z.unknown().optional(),
});
export type VmResult = z.infer<typeof VmResult>;

export interface RunQuery {
  policy?: string;
  status?: RunRecord['status'];
  since?: Date;
}

const RUNS = 'run';
const BY_ID = 'id';
/** Row keys sort newest first: the start time counted down from the year 2286. */
const MAX_MS = 9_999_999_999_999;

/**
 * Runs and per-VM results in Table storage. Runs sit in one partition keyed newest first (so a listing pages in
 * order), with a small by-id index row; each run's VM results sit in a partition of their own.
 */
export class RunStore {
  readonly #runs: () => Promise<TableClient>;
  readonly #vms: () => Promise<TableClient>;

  constructor(
    runs: () => Promise<TableClient> = () => tableClient('Runs'),
    vms: () => Promise<TableClient> = () => tableClient('VmResults'),
  ) {
    this.#runs = runs;
    this.#vms = vms;
  }

  async putRun(run: RunRecord): Promise<void> {
    const table = await this.#runs();
    const sortKey = `${String(MAX_MS - Date.parse(run.startedAt)).padStart(13, '0')}_${run.runId}`;
    await table.upsertEntity(
      { partitionKey: RUNS, rowKey: sortKey, Run: JSON.stringify(run), Policy: run.policy ?? '', Status: run.status },
      'Replace',
    );
    await table.upsertEntity({ partitionKey: BY_ID, rowKey: run.runId, SortKey: sortKey }, 'Replace');
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const table = await this.#runs();
    try {
      const index = await table.getEntity<{ SortKey: string }>(BY_ID, runId);
      const row = await table.getEntity<{ Run: string }>(RUNS, index.SortKey);
      return RunRecord.parse(JSON.parse(row.Run));
    } catch (error: unknown) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /** One page of runs, newest first, with the token for the next page. */
  async listRuns(
    query: RunQuery,
    top: number,
    continuationToken?: string,
  ): Promise<{ runs: RunRecord[]; continuationToken?: string }> {
    const table = await this.#runs();
    const clauses = [`PartitionKey eq '${RUNS}'`];
    if (query.policy) clauses.push(`Policy eq '${query.policy.replace(/'/g, "''")}'`);
    if (query.status) clauses.push(`Status eq '${query.status}'`);
    if (query.since) clauses.push(`RowKey le '${String(MAX_MS - query.since.getTime()).padStart(13, '0')}~'`);
    const pages = table
      .listEntities<{ Run: string }>({ queryOptions: { filter: clauses.join(' and ') } })
      .byPage({ maxPageSize: top, continuationToken });
    const page = await pages.next();
    if (page.done) return { runs: [] };
    return {
      runs: page.value.map((row) => RunRecord.parse(JSON.parse(row.Run))),
      continuationToken: page.value.continuationToken,
    };
  }

  async putVmResult(result: VmResult): Promise<void> {
    const table = await this.#vms();
    await table.upsertEntity(
      { partitionKey: result.runId, rowKey: encodeURIComponent(result.vmId), Result: JSON.stringify(result) },
      'Replace',
    );
  }

  async listVmResults(runId: string): Promise<VmResult[]> {
    const table = await this.#vms();
    const results: VmResult[] = [];
    for await (const row of table.listEntities<{ Result: string }>({
      queryOptions: { filter: `PartitionKey eq '${runId.replace(/'/g, "''")}'` },
    })) {
      results.push(VmResult.parse(JSON.parse(row.Result)));
    }
    return results.sort((a, b) => a.vmName.localeCompare(b.vmName));
  }
}
