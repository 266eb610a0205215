import type { TableClient, TransactionAction } from '@azure/data-tables';

import { tableClient } from '../clients/tableClient.js';
import { statusCodeOf } from '../errors/restErrors.js';
import type { RunTarget } from './runInputs.js';

export interface DispatchState {
  total: number;
  /** How many targets have been handed out: targets [0, next) went to a lane, [next, total) never did. */
  next: number;
  canceled: boolean;
}

const STATE = 'state';
/** Table transactions take at most 100 operations. */
const BATCH = 100;
/** Lanes racing for the state row retry its optimistic update; they are few (one activity each at a time). */
const MAX_TAKE_ATTEMPTS = 60;

/**
 * Hands a run's VMs out to its lanes, one at a time, so that `maxParallelVms` lanes keep that many VMs in flight
 * (a sliding window) without the run's orchestration racing a task twice. One partition per run: a state row (total,
 * next, canceled), a row per target not handed out at the start, and a row per take, written in the same transaction
 * as the state's advance, so a retried take (same lane and sequence number) returns the same target and no target
 * is ever handed out twice or skipped. A canceled run hands out nothing more.
 */
export class RunDispatch {
  readonly #table: () => Promise<TableClient>;
  readonly #pause: () => Promise<void>;

  constructor(
    table: () => Promise<TableClient> = () => tableClient('RunDispatch'),
    pause = () => new Promise<void>((resolve) => setTimeout(resolve, 2 + Math.random() * 18)),
  ) {
    this.#table = table;
    this.#pause = pause;
  }

  /**
   * Opens the dispatch of a run whose first `handedOut` targets go straight to their lanes. Idempotent: opening an
   * open run again changes nothing (a retried activity, a replay).
   */
  async open(runId: string, targets: readonly RunTarget[], handedOut: number): Promise<void> {
    const table = await this.#table();
    if (await this.#state(table, runId)) return;
    const rows = targets.slice(handedOut).map((target, i) => ({
      partitionKey: runId,
      rowKey: targetKey(handedOut + i),
      VmId: target.vmId,
      Name: target.name,
      InstanceId: target.instanceId,
    }));
    for (let i = 0; i < rows.length; i += BATCH)
      await table.submitTransaction(rows.slice(i, i + BATCH).map((row): TransactionAction => ['upsert', row]));
    const state = { partitionKey: runId, rowKey: STATE, Total: targets.length, Next: handedOut, Canceled: false };
    await table.createEntity(state).catch(ignore(409));
  }

  /** The next target for this lane's `seq`-th take, or none when every target is out or the run was canceled. */
  async take(runId: string, lane: number, seq: number): Promise<{ index: number; target: RunTarget } | undefined> {
    const table = await this.#table();
    const takeRow = { partitionKey: runId, rowKey: `take-${lane}-${seq}` };
    for (let attempt = 0; attempt < MAX_TAKE_ATTEMPTS; attempt++) {
      const found = await this.#state(table, runId);
      if (!found) throw new Error(`The dispatch of run ${runId} was never opened.`);
      const { state, etag } = found;
      if (state.canceled || state.next >= state.total) return this.#taken(table, runId, takeRow.rowKey);
      try {
        await table.submitTransaction([
          ['update', { partitionKey: runId, rowKey: STATE, Next: state.next + 1 }, 'Merge', { etag }],
          ['create', { ...takeRow, Index: state.next }],
        ]);
        return this.#target(table, runId, state.next);
      } catch (error: unknown) {
        const status = statusCodeOf(error);
        // 409: this take is a retry of one that went through (its row exists); 412: another lane advanced first.
        if (status === 409) {
          const taken = await this.#taken(table, runId, takeRow.rowKey);
          if (taken) return taken;
        } else if (status !== 412) throw error;
        await this.#pause();
      }
    }
    throw new Error(`Run ${runId}: lane ${lane} could not take a target (the state row stayed contended).`);
  }

  /** What an earlier attempt of this take got, if it went through. */
  async #taken(table: TableClient, runId: string, takeKey: string) {
    const taken = await getRow(table, runId, takeKey);
    return taken ? this.#target(table, runId, Number(taken.Index)) : undefined;
  }

  /** Hands out nothing more. Idempotent; a run never opened has nothing to cancel. */
  async cancel(runId: string): Promise<void> {
    const table = await this.#table();
    await table
      .updateEntity({ partitionKey: runId, rowKey: STATE, Canceled: true }, 'Merge', { etag: '*' })
      .catch(ignore(404));
  }

  async isCanceled(runId: string): Promise<boolean> {
    return (await this.#state(await this.#table(), runId))?.state.canceled ?? false;
  }

  /**
   * Ends the dispatch: cancels it (nothing more is handed out), removes its target and take rows, and returns the
   * final state, which stays. Idempotent.
   */
  async close(runId: string): Promise<DispatchState | undefined> {
    await this.cancel(runId);
    const table = await this.#table();
    const rows = table.listEntities({
      queryOptions: {
        filter: `PartitionKey eq '${runId.replace(/'/g, "''")}' and RowKey ne '${STATE}'`,
        select: ['RowKey'],
      },
    });
    let batch: TransactionAction[] = [];
    for await (const row of rows) {
      batch.push(['delete', { partitionKey: runId, rowKey: String(row.rowKey) }]);
      if (batch.length === BATCH) {
        await table.submitTransaction(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await table.submitTransaction(batch);
    return (await this.#state(table, runId))?.state;
  }

  async #state(table: TableClient, runId: string): Promise<{ state: DispatchState; etag: string } | undefined> {
    const row = await getRow(table, runId, STATE);
    if (!row) return undefined;
    return {
      state: { total: Number(row.Total), next: Number(row.Next), canceled: row.Canceled === true },
      etag: String(row.etag),
    };
  }

  async #target(table: TableClient, runId: string, index: number): Promise<{ index: number; target: RunTarget }> {
    const row = await getRow(table, runId, targetKey(index));
    if (!row) throw new Error(`Run ${runId}: target ${index} is missing from the dispatch.`);
    return { index, target: { vmId: String(row.VmId), name: String(row.Name), instanceId: String(row.InstanceId) } };
  }
}

function targetKey(index: number): string {
  return `target-${String(index).padStart(7, '0')}`;
}

async function getRow(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<Record<string, unknown> | undefined> {
  try {
    return await table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
  } catch (error: unknown) {
    if (statusCodeOf(error) === 404) return undefined;
    throw error;
  }
}

function ignore(status: number) {
  return (error: unknown) => {
    if (statusCodeOf(error) !== status) throw error;
  };
}

let dispatch: RunDispatch | undefined;

/** The app's run dispatch, created on first use (after the host has applied the app settings). */
export function runDispatch(): RunDispatch {
  dispatch ??= new RunDispatch();
  return dispatch;
}
