import type { HistoryEvent, RuntimeStatus } from '../model/historyEvent.js';
import type { InstanceRecord } from '../store/TaskHubStore.js';

/** A message for an instance that history does not hold yet. */
export interface PendingMessage {
  event: HistoryEvent;
  /** The execution it is for; a message for an older execution is dropped. Undefined: the current one. */
  executionId?: string;
  /** Set when the message sits in the inbox table, to delete it once history holds it. */
  inboxKey?: string;
}

/** An orchestration instance the engine is working on, with its current execution's committed history. */
export interface Instance {
  record: InstanceRecord;
  history: HistoryEvent[];
  pending: PendingMessage[];
  /** Messages that arrived while suspended, released on resume. */
  held: PendingMessage[];
  timers: Map<number, NodeJS.Timeout>;
  busy: boolean;
  queued: boolean;
  /** Consecutive failed commits, for back-off. */
  commitFailures: number;
  /** Set while the instance waits out a back-off after a failed episode. */
  retryTimer: NodeJS.Timeout | undefined;
  /** The row lags the record by a custom status only; written by `rowFlush` unless an episode writes it first. */
  rowStale: boolean;
  rowFlush: NodeJS.Timeout | undefined;
}

export function newInstance(record: InstanceRecord, history: HistoryEvent[] = []): Instance {
  return {
    record,
    history,
    pending: [],
    held: [],
    timers: new Map(),
    busy: false,
    queued: false,
    commitFailures: 0,
    retryTimer: undefined,
    rowStale: false,
    rowFlush: undefined,
  };
}

export function statusOf(instance: Instance): RuntimeStatus {
  return instance.record.runtimeStatus;
}
