import { EventType, type HistoryEvent } from '../model/historyEvent.js';

export interface OpenWork {
  started: boolean;
  /** ExecutionCompleted or ContinueAsNew, when the execution already ended. */
  ended?: HistoryEvent;
  /** TaskScheduled, TimerCreated and SubOrchestrationInstanceCreated events whose completion history does not hold. */
  open: HistoryEvent[];
}

/** What a recovered instance still waits for, read from its history. */
export function openWork(history: readonly HistoryEvent[]): OpenWork {
  const open = new Map<number, HistoryEvent>();
  let started = false;
  let ended: HistoryEvent | undefined;
  for (const event of history) {
    switch (event.EventType) {
      case EventType.ExecutionStarted:
        started = true;
        break;
      case EventType.ExecutionCompleted:
      case EventType.ContinueAsNew:
        ended = event;
        break;
      case EventType.TaskScheduled:
      case EventType.TimerCreated:
      case EventType.SubOrchestrationInstanceCreated:
        open.set(event.EventId, event);
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed:
        open.delete(event.TaskScheduledId ?? -1);
        break;
      case EventType.TimerFired:
        open.delete(event.TimerId ?? -1);
        break;
      default:
        break;
    }
  }
  return { started, ...(ended ? { ended } : {}), open: [...open.values()] };
}
