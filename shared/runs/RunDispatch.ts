import type { TableClient, TransactionAction } from '@azure/data-tables';

import { tableClient } from '../clients/tableClient.js';
import { statusCodeOf } from '../errors/restErrors.js';
import {
  initialSegments,
  segmentIndices,
  splitForSteal,
  type StrideLayout,
  type StrideSegment,
  targetIndex,
} from './dispatchStrides.js';
import type { RunTarget } from './runInputs.js';

export interface DispatchState {
  total: number;
  /** How many targets were handed out, to a lane at its start or by a take. */
  next: number;
  canceled: boolean;
  /** The indices of the targets never handed out, in order (only when the dispatch is closed). */
  remaining?: number[];
}

const STATE = 'state';
const LANE_PREFIX = 'lane-';
/** Table transactions take at most 100 operations. */
const BATCH = 100;
/**
 * Targets per row: a target's JSON stays under 600 characters (resource id, name, instance id at their limits), so a
 * row's `Targets` stays under the 32 K characters of a Table string property.
 */
const TARGETS_PER_ROW = 50;
/** Lanes racing for a row retry their optimistic update; a lane's own row is raced only by thieves and a cancel. */
const MAX_TAKE_ATTEMPTS = 60;
const MAX_PAUSE_MS = 250;
/** Target rows never change once written, so each host keeps the ones it read; it also keeps each lane's last row. */
const CACHED_ROWS = 500;

/** A lane's row: the stride segment it walks, its last take (for retries), and the cancel. */
interface LaneRow extends StrideSegment, StrideLayout {
  lane: number;
  lastSeq: number;
  /** The target index of the last take, or -1 when it found none. */
  lastIndex: number;
  canceled: boolean;
  etag: string;
}

interface TargetRow {
  /** The index of the row's first target. */
  from: number;
  targets: RunTarget[];
}

/**
 * Hands a run's VMs out to its lanes, one at a time, so that `maxParallelVms` lanes keep that many VMs in flight
 * (a sliding window) without the run's orchestration racing a task twice. One small partition per run: a state row
 * (total, canceled), the targets not handed out at the start (50 to a row, never changed), and a row per lane. Each
 * lane owns a stride of the targets (see dispatchStrides.ts) and takes from its front with an optimistic update of its
 * own row, which records the take's sequence number too: a retried take (same lane and sequence number) returns the
 * same target, and no target is ever handed out twice or skipped. Lanes do not race each other until one's stride is
 * empty: it then steals the back half of the longest one left, in one transaction over both rows. A canceled run
 * hands out nothing more. Few rows per partition keep each point read cheap, on Azurite too.
 */
export class RunDispatch {
  readonly #table: () => Promise<TableClient>;
  readonly #pause: (attempt: number) => Promise<void>;
  readonly #targetRows = new Map<string, Promise<TargetRow>>();
  readonly #laneRows = new Map<string, LaneRow>();

  constructor(
    table: () => Promise<TableClient> = () => tableClient('RunDispatch'),
    pause = (attempt: number) => new Promise<void>((resolve) => setTimeout(resolve, contendedPauseMs(attempt))),
  ) {
    this.#table = table;
    this.#pause = pause;
  }

  /**
   * Opens the dispatch of a run whose first `handedOut` targets go straight to their lanes (lanes 0 to
   * `handedOut - 1`). Idempotent: opening an open run again changes nothing (a retried activity, a replay).
   */
  async open(runId: string, targets: readonly RunTarget[], handedOut: number): Promise<void> {
    const table = await this.#table();
    if (await getRow(table, runId, STATE)) return;
    const layout: StrideLayout = { first: handedOut, strides: Math.max(1, handedOut) };
    const rows: TransactionAction[] = [];
    for (let row = Math.floor(handedOut / TARGETS_PER_ROW); row * TARGETS_PER_ROW < targets.length; row++) {
      const from = Math.max(row * TARGETS_PER_ROW, handedOut);
      const slice = targets.slice(from, (row + 1) * TARGETS_PER_ROW);
      rows.push([
        'upsert',
        { partitionKey: runId, rowKey: targetRowKey(row), From: from, Targets: JSON.stringify(slice) },
      ]);
    }
    for (const segment of initialSegments(layout, targets.length)) {
      const lane = { lane: segment.stride, ...segment, ...layout, lastSeq: -1, lastIndex: -1, canceled: false };
      rows.push([
        'upsert',
        { partitionKey: runId, rowKey: laneRowKey(segment.stride), ...laneEntity(lane) },
        'Replace',
      ]);
    }
    for (let i = 0; i < rows.length; i += BATCH) await table.submitTransaction(rows.slice(i, i + BATCH));
    const state = { partitionKey: runId, rowKey: STATE, Total: targets.length, Canceled: false };
    await table.createEntity(state).catch(ignore(409));
  }

  /** The next target for this lane's `seq`-th take, or none when every target is out or the run was canceled. */
  async take(runId: string, lane: number, seq: number): Promise<{ index: number; target: RunTarget } | undefined> {
    const table = await this.#table();
    const key = `${runId}/${lane}`;
    // The row this host wrote last for the lane, when it has one: its etag proves it is still current.
    let row = this.#laneRows.get(key) ?? (await this.#readLane(table, runId, lane));
    for (let attempt = 0; attempt < MAX_TAKE_ATTEMPTS; attempt++) {
      if (!row) return undefined;
      if (row.lastSeq === seq) return row.lastIndex < 0 ? undefined : this.#target(runId, row.lastIndex);
      if (row.canceled) return undefined;
      try {
        if (row.front < row.back) {
          const index = targetIndex(row, row.stride, row.front);
          const next: LaneRow = { ...row, front: row.front + 1, lastSeq: seq, lastIndex: index };
          const written = await table.updateEntity(
            { partitionKey: runId, rowKey: laneRowKey(lane), ...laneEntity(next) },
            'Merge',
            { etag: row.etag },
          );
          this.#remember(key, { ...next, etag: written.etag ?? '' });
          return this.#target(runId, index);
        }
        const stolen = await this.#steal(table, runId, row, seq);
        this.#laneRows.delete(key);
        return stolen === undefined ? undefined : this.#target(runId, stolen);
      } catch (error: unknown) {
        // 412: a thief, a cancel or another host changed a row first.
        if (statusCodeOf(error) !== 412) throw error;
        this.#laneRows.delete(key);
        await this.#pause(attempt);
        row = await this.#readLane(table, runId, lane);
      }
    }
    throw new Error(`Run ${runId}: lane ${lane} could not take a target (its rows stayed contended).`);
  }

  /** Hands out nothing more. Idempotent; a run never opened has nothing to cancel. */
  async cancel(runId: string): Promise<void> {
    const table = await this.#table();
    try {
      await table.updateEntity({ partitionKey: runId, rowKey: STATE, Canceled: true }, 'Merge', { etag: '*' });
    } catch (error: unknown) {
      if (statusCodeOf(error) === 404) return;
      throw error;
    }
    // Every lane row says so too, so a take needs to read its own row only. A take racing this fails its etag.
    const flags: TransactionAction[] = (await this.#laneRowsOf(table, runId)).map((lane) => [
      'update',
      { partitionKey: runId, rowKey: laneRowKey(lane.id), Canceled: true },
      'Merge',
    ]);
    for (let i = 0; i < flags.length; i += BATCH) await table.submitTransaction(flags.slice(i, i + BATCH));
  }

  async isCanceled(runId: string): Promise<boolean> {
    return (await getRow(await this.#table(), runId, STATE))?.Canceled === true;
  }

  /**
   * Ends the dispatch: cancels it (nothing more is handed out), removes its lane and target rows, and returns the
   * final state, which stays in the state row. Idempotent.
   */
  async close(runId: string): Promise<DispatchState | undefined> {
    const table = await this.#table();
    const state = await getRow(table, runId, STATE);
    if (!state) return undefined;
    if (typeof state.Remaining === 'string') return closedState(state);
    await this.cancel(runId);
    const lanes = await this.#laneRowsOf(table, runId);
    const remaining = lanes.flatMap((lane) => segmentIndices(lane.row, lane.row)).sort((a, b) => a - b);
    const total = Number(state.Total);
    await table.updateEntity(
      {
        partitionKey: runId,
        rowKey: STATE,
        Canceled: true,
        Next: total - remaining.length,
        Remaining: JSON.stringify(remaining),
      },
      'Merge',
    );
    const rows = table.listEntities({
      queryOptions: {
        filter: `PartitionKey eq '${odataString(runId)}' and RowKey ne '${STATE}'`,
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
    for (const cache of [this.#targetRows, this.#laneRows])
      for (const key of cache.keys()) if (key.startsWith(`${runId}/`)) cache.delete(key);
    return { total, next: total - remaining.length, canceled: true, remaining };
  }

  /**
   * The lane's stride is empty: takes the back half of the longest segment left (the first of it now, the rest for
   * the lane's next takes) in one transaction over the thief's and the victim's rows, each on its etag. Resolves the
   * target index, or undefined when no lane has any left (nothing is written then).
   */
  async #steal(table: TableClient, runId: string, thief: LaneRow, seq: number): Promise<number | undefined> {
    const lanes = (await this.#laneRowsOf(table, runId, true)).filter((lane) => !lane.row.canceled);
    if (lanes.length === 0) return undefined;
    const longest = Math.max(...lanes.map((lane) => lane.row.back - lane.row.front));
    // Thieves arriving together spread over the longer segments instead of all racing for the longest one.
    const candidates = lanes.filter((lane) => lane.row.back - lane.row.front >= Math.ceil(longest / 2));
    const victim = candidates[Math.floor(Math.random() * candidates.length)] ?? lanes[0];
    if (!victim) return undefined;
    const { stride, front, back } = victim.row;
    const { stolen, kept } = splitForSteal({ stride, front, back });
    const index = targetIndex(thief, stolen.stride, stolen.front);
    const thiefRow: LaneRow = { ...thief, ...stolen, front: stolen.front + 1, lastSeq: seq, lastIndex: index };
    await table.submitTransaction([
      [
        'update',
        { partitionKey: runId, rowKey: laneRowKey(thief.lane), ...laneEntity(thiefRow) },
        'Merge',
        { etag: thief.etag },
      ],
      [
        'update',
        { partitionKey: runId, rowKey: laneRowKey(victim.id), ...laneEntity({ ...victim.row, ...kept }) },
        'Merge',
        { etag: victim.row.etag },
      ],
    ]);
    return index;
  }

  /** The lane's row; undefined once the dispatch is closed (it hands out nothing more). */
  async #readLane(table: TableClient, runId: string, lane: number): Promise<LaneRow | undefined> {
    const row = await getRow(table, runId, laneRowKey(lane));
    if (row) return laneRowOf(row);
    const state = await getRow(table, runId, STATE);
    if (!state) throw new Error(`The dispatch of run ${runId} was never opened.`);
    if (typeof state.Remaining === 'string') return undefined;
    throw new Error(`Run ${runId} has no lane ${lane}.`);
  }

  /** The run's lane rows; with `leftOnly`, only those with targets left (the filter spares the rest's transfer). */
  async #laneRowsOf(table: TableClient, runId: string, leftOnly = false): Promise<{ id: number; row: LaneRow }[]> {
    const filter =
      `PartitionKey eq '${odataString(runId)}' and RowKey ge '${LANE_PREFIX}' and RowKey lt '${LANE_PREFIX}~'` +
      (leftOnly ? ' and Remaining gt 0' : '');
    const lanes: { id: number; row: LaneRow }[] = [];
    for await (const entity of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
      lanes.push({ id: Number(String(entity.rowKey).slice(LANE_PREFIX.length)), row: laneRowOf(entity) });
    return lanes;
  }

  #remember(key: string, row: LaneRow): void {
    this.#laneRows.delete(key);
    this.#laneRows.set(key, row);
    evictOldest(this.#laneRows);
  }

  async #target(runId: string, index: number): Promise<{ index: number; target: RunTarget }> {
    const rowNumber = Math.floor(index / TARGETS_PER_ROW);
    const key = `${runId}/${rowNumber}`;
    let row = this.#targetRows.get(key);
    if (!row) {
      row = this.#readTargetRow(runId, rowNumber);
      row.catch(() => this.#targetRows.delete(key));
      this.#targetRows.set(key, row);
      evictOldest(this.#targetRows);
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

function laneRowKey(lane: number): string {
  return `${LANE_PREFIX}${String(lane).padStart(5, '0')}`;
}

function laneEntity(row: Omit<LaneRow, 'etag'>) {
  return {
    Lane: row.lane,
    Stride: row.stride,
    Front: row.front,
    Back: row.back,
    Remaining: row.back - row.front,
    First: row.first,
    Strides: row.strides,
    LastSeq: row.lastSeq,
    LastIndex: row.lastIndex,
    Canceled: row.canceled,
  };
}

function laneRowOf(entity: Record<string, unknown>): LaneRow {
  return {
    lane: Number(entity.Lane),
    stride: Number(entity.Stride),
    front: Number(entity.Front),
    back: Number(entity.Back),
    first: Number(entity.First),
    strides: Number(entity.Strides),
    lastSeq: Number(entity.LastSeq),
    lastIndex: Number(entity.LastIndex),
    canceled: entity.Canceled === true,
    etag: String(entity.etag),
  };
}

function closedState(state: Record<string, unknown>): DispatchState {
  return {
    total: Number(state.Total),
    next: Number(state.Next),
    canceled: true,
    remaining: JSON.parse(String(state.Remaining)) as number[],
  };
}

function evictOldest(cache: Map<string, unknown>): void {
  if (cache.size <= CACHED_ROWS) return;
  const oldest = cache.keys().next();
  if (!oldest.done) cache.delete(oldest.value);
}

function odataString(value: string): string {
  return value.replace(/'/g, "''");
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
