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
/**
 * Targets per row: a target's JSON stays under 600 characters (resource id, name, instance id at their limits), so a
 * row's `Targets` stays under the 32 K characters of a Table string property.
 */
const TARGETS_PER_ROW = 50;
/** Lanes racing for the state row retry its optimistic update; they are few (one activity each at a time). */
const MAX_TAKE_ATTEMPTS = 60;
const MAX_PAUSE_MS = 250;
/** Target rows never change once written, so each host keeps the ones it read. */
const CACHED_TARGET_ROWS = 500;

/** Each lane's last take: its sequence number and the target index it got. */
type LaneTakes = Record<string, [seq: number, index: number]>;

interface TargetRow {
  /** The index of the row's first target. */
  from: number;
  targets: RunTarget[];
}

/**
 * Hands a run's VMs out to its lanes, one at a time, so that `maxParallelVms` lanes keep that many VMs in flight
 * (a sliding window) without the run's orchestration racing a task twice. One small partition per run: a state row
 * (total, next, canceled, and each lane's last take) and the targets not handed out at the start, 50 to a row. A take
 * advances the state with an optimistic update that records the lane's sequence number in the same row, so a retried
 * take (same lane and sequence number) returns the same target and no target is ever handed out twice or skipped.
 * A canceled run hands out nothing more. Few rows per partition keep each point read cheap, on Azurite too.
 */
export class RunDispatch {
  readonly #table: () => Promise<TableClient>;
  readonly #pause: (attempt: number) => Promise<void>;
  readonly #targetRows = new Map<string, Promise<TargetRow>>();

  constructor(
    table: () => Promise<TableClient> = () => tableClient('RunDispatch'),
    pause = (attempt: number) => new Promise<void>((resolve) => setTimeout(resolve, contendedPauseMs(attempt))),
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
    const rows: TransactionAction[] = [];
    for (let row = Math.floor(handedOut / TARGETS_PER_ROW); row * TARGETS_PER_ROW < targets.length; row++) {
      const from = Math.max(row * TARGETS_PER_ROW, handedOut);
      const slice = targets.slice(from, (row + 1) * TARGETS_PER_ROW);
      rows.push([
        'upsert',
        { partitionKey: runId, rowKey: targetRowKey(row), From: from, Targets: JSON.stringify(slice) },
      ]);
    }
    for (let i = 0; i < rows.length; i += BATCH) await table.submitTransaction(rows.slice(i, i + BATCH));
    const state = { partitionKey: runId, rowKey: STATE, Total: targets.length, Next: handedOut, Canceled: false };
    await table.createEntity(state).catch(ignore(409));
  }

  /** The next target for this lane's `seq`-th take, or none when every target is out or the run was canceled. */
  async take(runId: string, lane: number, seq: number): Promise<{ index: number; target: RunTarget } | undefined> {
    const table = await this.#table();
    for (let attempt = 0; attempt < MAX_TAKE_ATTEMPTS; attempt++) {
      const found = await this.#state(table, runId);
      if (!found) throw new Error(`The dispatch of run ${runId} was never opened.`);
      const { state, takes, etag } = found;
      const earlier = takes[lane];
      // A retry of this take that went through: the same target again.
      if (earlier && earlier[0] === seq) return this.#target(runId, earlier[1]);
      if (state.canceled || state.next >= state.total) return undefined;
      try {
        const advanced = { ...takes, [lane]: [seq, state.next] };
        await table.updateEntity(
          { partitionKey: runId, rowKey: STATE, Next: state.next + 1, Takes: JSON.stringify(advanced) },
          'Merge',
          { etag },
        );
        return this.#target(runId, state.next);
      } catch (error: unknown) {
        // 412: another lane advanced first.
        if (statusCodeOf(error) !== 412) throw error;
        await this.#pause(attempt);
      }
    }
    throw new Error(`Run ${runId}: lane ${lane} could not take a target (the state row stayed contended).`);
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
   * Ends the dispatch: cancels it (nothing more is handed out), removes its target rows, and returns the final state,
   * which stays. Idempotent.
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
    for (const key of this.#targetRows.keys()) if (key.startsWith(`${runId}/`)) this.#targetRows.delete(key);
    return (await this.#state(table, runId))?.state;
  }

  async #state(
    table: TableClient,
    runId: string,
  ): Promise<{ state: DispatchState; takes: LaneTakes; etag: string } | undefined> {
    const row = await getRow(table, runId, STATE);
    if (!row) return undefined;
    return {
      state: { total: Number(row.Total), next: Number(row.Next), canceled: row.Canceled === true },
      takes: typeof row.Takes === 'string' ? (JSON.parse(row.Takes) as LaneTakes) : {},
      etag: String(row.etag),
    };
  }

  async #target(runId: string, index: number): Promise<{ index: number; target: RunTarget }> {
    const rowNumber = Math.floor(index / TARGETS_PER_ROW);
    const key = `${runId}/${rowNumber}`;
    let row = this.#targetRows.get(key);
    if (!row) {
      row = this.#readTargetRow(runId, rowNumber);
      row.catch(() => this.#targetRows.delete(key));
      this.#targetRows.set(key, row);
      if (this.#targetRows.size > CACHED_TARGET_ROWS) {
        const oldest = this.#targetRows.keys().next();
        if (!oldest.done) this.#targetRows.delete(oldest.value);
      }
    }
    const { from, targets } = await row;
    const target = targets[index - from];
    if (!target) throw new Error(`Run ${runId}: target ${index} is missing from the dispatch.`);
    return { index, target };
  }

  async #readTargetRow(runId: string, rowNumber: number): Promise<TargetRow> {
    const row = await getRow(await this.#table(), runId, targetRowKey(rowNumber));
    if (!row) throw new Error(`Run ${runId}: the dispatch has no targets row ${rowNumber}.`);
    return { from: Number(row.From), targets: JSON.parse(String(row.Targets)) as RunTarget[] };
  }
}

/**
 * The pause before a take tries again: random, up to twice as long after each lost race (up to 250 ms). Lanes whose VMs
 * finish together (a run's first wave) would otherwise race again in step, and only one of them wins each round.
 */
export function contendedPauseMs(attempt: number, random = Math.random()): number {
  return 2 + random * Math.min(MAX_PAUSE_MS, 10 * 2 ** attempt);
}

function targetRowKey(row: number): string {
  return `targets-${String(row).padStart(5, '0')}`;
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
