/** DTFx history event types (DurableTask.Core `EventType`); the JS library reads the numbers. */
export enum EventType {
  ExecutionStarted = 0,
  ExecutionCompleted = 1,
  ExecutionFailed = 2,
  ExecutionTerminated = 3,
  TaskScheduled = 4,
  TaskCompleted = 5,
  TaskFailed = 6,
  SubOrchestrationInstanceCreated = 7,
  SubOrchestrationInstanceCompleted = 8,
  SubOrchestrationInstanceFailed = 9,
  TimerCreated = 10,
  TimerFired = 11,
  OrchestratorStarted = 12,
  OrchestratorCompleted = 13,
  EventSent = 14,
  EventRaised = 15,
  ContinueAsNew = 16,
  GenericEvent = 17,
  HistoryState = 18,
  ExecutionSuspended = 19,
  ExecutionResumed = 20,
}

/** DTFx `OrchestrationStatus`, with the names the status API and the Instances table use. */
export enum OrchestrationStatus {
  Running = 0,
  Completed = 1,
  ContinuedAsNew = 2,
  Failed = 3,
  Canceled = 4,
  Terminated = 5,
  Pending = 6,
  Suspended = 7,
}
export type RuntimeStatus = keyof typeof OrchestrationStatus;

export function isRuntimeStatus(value: string): value is RuntimeStatus {
  return Object.prototype.hasOwnProperty.call(OrchestrationStatus, value) && Number.isNaN(Number(value));
}

export function runtimeStatusName(status: OrchestrationStatus): RuntimeStatus {
  return OrchestrationStatus[status] as RuntimeStatus;
}

export const ACTIVE_STATUSES: readonly RuntimeStatus[] = ['Pending', 'Running', 'Suspended', 'ContinuedAsNew'];
export function isTerminal(status: RuntimeStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Terminated' || status === 'Canceled';
}

export interface ParentInstance {
  Name: string;
  Version: string;
  TaskScheduleId: number;
  OrchestrationInstance: { InstanceId: string; ExecutionId: string };
}

/**
 * A history event in the wire shape the JS library reads: `EventType` as a number, DTFx field names. Fields a type does
 * not use are absent. `MessageId` is ours: it ties an event to the inbox row it came from, so recovery never applies an
 * external message twice.
 */
export interface HistoryEvent {
  EventType: EventType;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  Name?: string;
  Version?: string;
  Input?: string | null;
  Result?: string | null;
  Reason?: string;
  Details?: string;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: string;
  InstanceId?: string;
  OrchestrationInstance?: { InstanceId: string; ExecutionId: string };
  ParentInstance?: ParentInstance;
  OrchestrationStatus?: OrchestrationStatus;
  Generation?: number;
  Tags?: Record<string, string>;
  MessageId?: string;
}

/** DTFx writes timestamps with seven fractional digits; the library turns every `Timestamp` string into a Date. */
export function dtfxTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 23)}0000Z`;
}

export function historyEvent(type: EventType, timestamp: Date, fields: Partial<HistoryEvent> = {}): HistoryEvent {
  return { EventType: type, EventId: -1, IsPlayed: false, Timestamp: dtfxTimestamp(timestamp), ...fields };
}
