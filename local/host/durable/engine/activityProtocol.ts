import type { RpcTypedData } from '../../core/coreTypes.js';
import type { InvocationOutcome } from '../../invoke/invokeFunction.js';
import { EventType, type HistoryEvent, historyEvent } from '../model/historyEvent.js';

/** The activity's input as the worker gets it: the action's (processInput'd) input as a string, none for null. */
export function activityInputData(scheduled: HistoryEvent): RpcTypedData | undefined {
  const [input] = JSON.parse(scheduled.Input ?? '[null]') as unknown[];
  if (input === null || input === undefined) return undefined;
  return { string: typeof input === 'string' ? input : JSON.stringify(input) };
}

/** TaskCompleted.Result is JSON text of the returned value (reference §2.7). */
export function activityResultJson(value: RpcTypedData | null | undefined): string | null {
  if (!value) return null;
  if (value.string != null) return JSON.stringify(value.string);
  if (value.json != null) return value.json;
  if (value.int != null) return String(value.int);
  if (value.double != null) return String(value.double);
  if (value.bytes != null) return JSON.stringify(Buffer.from(value.bytes).toString('base64'));
  return null;
}

/** The completion event of an activity invocation: TaskCompleted, or TaskFailed as TaskActivityShim words it. */
export function activityCompletion(
  name: string,
  scheduled: HistoryEvent,
  outcome: InvocationOutcome,
  at: Date,
): HistoryEvent {
  if (outcome.succeeded) {
    return historyEvent(EventType.TaskCompleted, at, {
      TaskScheduledId: scheduled.EventId,
      Result: activityResultJson(outcome.response.returnValue),
    });
  }
  return historyEvent(EventType.TaskFailed, at, {
    TaskScheduledId: scheduled.EventId,
    // The extension takes the text after "Exception:" in the worker's failure, leading space included (reference §3.1).
    Reason: `Activity function '${name}' failed:  ${outcome.error.message}`,
    Details: exceptionDetails(outcome.error),
  });
}

/** A .NET-shaped exception, as the extension serialises it into Details. */
export function exceptionDetails(error: Error): string {
  return JSON.stringify({
    $type: 'System.Exception, System.Private.CoreLib',
    ClassName: 'System.Exception',
    Message: error.message,
    StackTraceString: error.stack ?? null,
  });
}
