import type { InvocationOutcome } from '../../invoke/invokeFunction.js';
import type { OrchestratorState } from '../model/actions.js';
import type { HistoryEvent } from '../model/historyEvent.js';

const OUT_OF_PROC_DATA = '\n\n$OutOfProcData$:';

/** Azure Storage: MaximumDelayTime 6 days, long timers advance 3 days at a time. */
export const MAXIMUM_SHORT_TIMER_MS = 6 * 24 * 3600_000;
export const LONG_TIMER_INTERVAL_MS = 3 * 24 * 3600_000;

/** The orchestration trigger's input, as the extension builds it (OrchestrationContextToString); replay schema V3. */
export function orchestratorBindingInfo(
  instanceId: string,
  history: HistoryEvent[],
  input: string | null | undefined,
  parentInstanceId: string | undefined,
): string {
  return JSON.stringify({
    history,
    input: input == null ? null : (JSON.parse(input) as unknown),
    instanceId,
    isReplaying: false,
    parentInstanceId: parentInstanceId ?? null,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
    longRunningTimerIntervalDuration: '3.00:00:00',
    maximumShortTimerDuration: '6.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  });
}

/**
 * The orchestrator's state from an invocation: its return value, or, when it threw, the state the library appends to
 * the error message after `$OutOfProcData$:`. Anything else (the library itself crashed) is a plain failure.
 */
export function orchestratorState(outcome: InvocationOutcome): OrchestratorState {
  if (outcome.succeeded) {
    const json = outcome.response.returnValue?.json;
    if (!json) throw new Error('The orchestrator returned no state.');
    return JSON.parse(json) as OrchestratorState;
  }
  const message = outcome.error.message;
  const at = message.indexOf(OUT_OF_PROC_DATA);
  if (at >= 0) return JSON.parse(message.slice(at + OUT_OF_PROC_DATA.length)) as OrchestratorState;
  return { isDone: false, actions: [[]], schemaVersion: 2, error: message };
}
