import { EventType, type HistoryEvent, OrchestrationStatus } from '../model/historyEvent.js';
import type { InstanceRecord } from '../store/TaskHubStore.js';

export interface StatusOptions {
  showInput: boolean;
  showHistory: boolean;
  showHistoryOutput: boolean;
}

/** The status JSON of the extension (StatusResponsePayload): input, output and customStatus always present. */
export function statusPayload(
  record: InstanceRecord,
  history: readonly HistoryEvent[],
  options: StatusOptions,
): Record<string, unknown> {
  return {
    name: record.name,
    instanceId: record.instanceId,
    runtimeStatus: record.runtimeStatus,
    input: options.showInput ? parseJsonText(record.input) : null,
    customStatus: parseJsonText(record.customStatus),
    output: parseJsonText(record.output),
    createdTime: secondsPrecision(record.createdTime),
    lastUpdatedTime: secondsPrecision(record.lastUpdatedTime),
    ...(options.showHistory && record.runtimeStatus !== 'Pending'
      ? { historyEvents: historyForStatus(history, options) }
      : {}),
  };
}

/** DurableClient's history shape: orchestrator and scheduling rows folded into the rows that complete them (§3.4). */
export function historyForStatus(history: readonly HistoryEvent[], options: StatusOptions): Record<string, unknown>[] {
  const scheduled = new Map<number, HistoryEvent>();
  const rows: Record<string, unknown>[] = [];
  for (const event of history) {
    const type = event.EventType;
    if (type === EventType.OrchestratorStarted || type === EventType.OrchestratorCompleted) continue;
    if (type === EventType.TaskScheduled || type === EventType.SubOrchestrationInstanceCreated) {
      scheduled.set(event.EventId, event);
      continue;
    }
    const {
      EventType: _type,
      EventId: _id,
      IsPlayed: _played,
      MessageId: _message,
      TaskScheduledId,
      ...fields
    } = event;
    const row: Record<string, unknown> = { EventType: EventType[type], ...fields };
    if (type === EventType.ExecutionStarted) {
      row.FunctionName = row.Name;
      for (const key of ['Name', 'OrchestrationInstance', 'ParentInstance', 'Version', 'Tags']) delete row[key];
    }
    const origin = TaskScheduledId === undefined ? undefined : scheduled.get(TaskScheduledId);
    if (origin) {
      row.FunctionName = origin.Name;
      row.ScheduledTime = origin.Timestamp;
      if (options.showInput) row.Input = origin.Input;
    }
    if (type === EventType.ExecutionCompleted && event.OrchestrationStatus !== undefined)
      row.OrchestrationStatus = OrchestrationStatus[event.OrchestrationStatus];
    if (type === EventType.TimerFired) delete row.TimerId;
    if ('Result' in row) {
      if (options.showHistoryOutput) row.Result = parseJsonText((row.Result as string | null) ?? null);
      else delete row.Result;
    }
    if (!options.showInput) delete row.Input;
    rows.push(row);
  }
  return rows;
}

/** JSON text as a value; text that is not JSON (a terminate reason) as a string; none as null. */
export function parseJsonText(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The extension formats status times as `yyyy-MM-ddTHH:mm:ssZ`. */
function secondsPrecision(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
