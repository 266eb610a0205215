import { EventType, type HistoryEvent, historyEvent } from '../model/historyEvent.js';
import type { InstanceRecord } from '../store/TaskHubStore.js';

/** The ExecutionStarted event of an instance's current execution, built from its Instances row. */
export function executionStartedEvent(record: InstanceRecord, at: Date): HistoryEvent {
  return historyEvent(EventType.ExecutionStarted, at, {
    OrchestrationInstance: { InstanceId: record.instanceId, ExecutionId: record.executionId },
    ...(record.parent ? { ParentInstance: record.parent } : {}),
    Name: record.name,
    Version: record.version,
    Input: record.input,
    Generation: record.generation,
  });
}
