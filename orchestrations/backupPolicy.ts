import type { OrchestrationContext, Task } from 'durable-functions';
import * as df from 'durable-functions';

import { recordResultContract, recordRunContract } from '../activities/recordResults.contract.js';
import { resolveRunTargetsContract } from '../activities/resolveRunTargets.contract.js';
import { CANCEL_EVENT } from '../shared/guest/guestEvents.js';
import type { RunRecord } from '../shared/results/RunStore.js';
import { type RunSummary, summarizeRun } from '../shared/results/summarizeRun.js';
import { BackupRunInput } from '../shared/runs/runInputs.js';
import { backUpInLanes } from './backUpInLanes.js';
import { callActivity } from './callActivity.js';
import { describeCounts } from './describeCounts.js';
import { retryPolicies } from './retryPolicies.js';

/**
 * One run (its instance id is the run id): resolve the targets, back up each VM in a backupVm sub-orchestration with
 * at most `maxParallelVms` in flight (a sliding window of lanes), and summarise: counts per consistency level and a
 * status like the Veeam and Azure Backup job statuses (Success / Warning / Failed / Canceled). A cancel stops starting VMs; the VMs in flight
 * get the cancel from the API and thaw first.
 */
export function* backupPolicy(context: OrchestrationContext): Generator<Task, RunSummary, unknown> {
  const input = BackupRunInput.parse(context.df.getInput());
  const cancel = context.df.waitForExternalEvent(CANCEL_EVENT);
  const run: RunRecord = {
    runId: input.runId,
    kind: input.kind,
    ...(input.policy ? { policy: input.policy.name } : {}),
    ...(input.slot ? { slot: input.slot } : {}),
    status: 'Running',
    startedAt: context.df.currentUtcDateTime.toISOString(),
    vms: 0,
  };
  const status = (phase: string, extra: Record<string, unknown> = {}) =>
    context.df.setCustomStatus({ phase, runId: input.runId, ...extra });
  status('resolving-targets');
  yield* callActivity(context, recordRunContract, run, retryPolicies.storage);

  let targets;
  try {
    targets = yield* callActivity(
      context,
      resolveRunTargetsContract,
      { runId: input.runId, ...(input.vmIds ? { vmIds: input.vmIds } : { policy: input.policy }) },
      retryPolicies.armRead,
    );
  } catch (error: unknown) {
    const summary = summarizeRun([]);
    const reason = `The targets could not be resolved: ${error instanceof Error ? error.message : String(error)}`;
    yield* finish({ ...run, status: 'Failed', reason }, summary);
    return { ...summary, status: 'Failed' };
  }
  run.vms = targets.vms.length;
  yield* callActivity(context, recordRunContract, run, retryPolicies.storage);

  const { outcomes, canceled, notStarted } = yield* backUpInLanes(context, input, targets.vms, cancel);
  // The VMs never started record themselves here, all at once (a cancel early in a large run leaves many).
  const notStartedRecords = notStarted.map(({ target, reason }) => {
    const consistency = canceled ? 'canceled' : 'failed';
    outcomes.push({
      vmId: target.vmId,
      vmName: target.name,
      consistency,
      expected: canceled ? 'canceled' : 'crash-consistent',
      reason,
    });
    const at = context.df.currentUtcDateTime.toISOString();
    const result = { runId: input.runId, vmId: target.vmId, vmName: target.name, consistency, reason };
    return context.df.callActivityWithRetry(
      recordResultContract.name,
      retryPolicies.storage,
      recordResultContract.input.parse({ ...result, instanceId: target.instanceId, startedAt: at, endedAt: at }),
    );
  });
  if (notStartedRecords.length > 0) yield context.df.Task.all(notStartedRecords);

  const summary = summarizeRun(outcomes, canceled);
  const excluded = targets.excluded.length > 0 ? ` ${targets.excluded.length} VM(s) excluded.` : '';
  yield* finish({ ...run, status: summary.status, reason: `${describeCounts(summary)}.${excluded}` }, summary);
  return summary;

  function* finish(final: RunRecord, summary: RunSummary): Generator<Task, void> {
    status('done', { status: final.status });
    yield* callActivity(
      context,
      recordRunContract,
      { ...final, endedAt: context.df.currentUtcDateTime.toISOString(), counts: summary.counts },
      retryPolicies.storage,
    );
  }
}

df.app.orchestration('backupPolicy', backupPolicy);
