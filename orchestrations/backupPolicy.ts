import type { OrchestrationContext, Task } from 'durable-functions';
import * as df from 'durable-functions';

import { recordResultContract, recordRunContract } from '../activities/recordResults.contract.js';
import { resolveRunTargetsContract, type RunTarget } from '../activities/resolveRunTargets.contract.js';
import { CANCEL_EVENT } from '../shared/guest/guestEvents.js';
import type { RunRecord } from '../shared/results/RunStore.js';
import { type RunSummary, summarizeRun } from '../shared/results/summarizeRun.js';
import { BackupRunInput, type BackupVmInput } from '../shared/runs/runInputs.js';
import { callActivity } from './callActivity.js';
import { describeCounts } from './describeCounts.js';
import { retryPolicies } from './retryPolicies.js';
import type { VmOutcome } from './VmBackupState.js';

/**
 * One run (its instance id is the run id): resolve the targets, back up each VM in a backupVm sub-orchestration with
 * at most `maxParallelVms` in flight (in waves), and summarise: counts per consistency level and a status like the Veeam and
 * Azure Backup job statuses (Success / Warning / Failed / Canceled). A cancel stops starting VMs; the VMs in flight
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

  const outcomes: VmOutcome[] = [];
  const waiting = [...targets.vms];
  let canceled = false;
  // Waves of at most maxParallelVms. Not a sliding window: a task already raced must never go into a new
  // Task.any (the library would schedule it a second time), so each wave is raced once, as a whole, with the cancel.
  while (waiting.length > 0 && !canceled) {
    const wave = waiting.splice(0, input.maxParallelVms).map((target) => {
      const vmInput: BackupVmInput = { runId: input.runId, vmId: target.vmId, plan: input.plan };
      return { target, task: context.df.callSubOrchestrator('backupVm', vmInput, target.instanceId) };
    });
    const all = context.df.Task.all(wave.map((w) => w.task));
    try {
      const winner = (yield context.df.Task.any([all, cancel])) as Task;
      if (winner === cancel) {
        canceled = true;
        // The VMs in flight got the cancel too (from the API): they thaw, record themselves and end.
        yield all;
      }
    } catch {
      // A failed sub-orchestration is read below from its own task.
    }
    for (const { target, task } of wave)
      outcomes.push(task.isFaulted ? crashed(target, task.result) : (task.result as VmOutcome));
    status('backing-up', { total: targets.vms.length, done: outcomes.length });
  }
  for (const target of waiting) {
    const outcome: VmOutcome = {
      vmId: target.vmId,
      vmName: target.name,
      consistency: 'canceled',
      expected: 'canceled',
      reason: 'Canceled by an operator before this VM was started.',
    };
    outcomes.push(outcome);
    yield* callActivity(
      context,
      recordResultContract,
      {
        runId: input.runId,
        vmId: target.vmId,
        vmName: target.name,
        consistency: 'canceled',
        reason: outcome.reason,
        warnings: [],
        instanceId: target.instanceId,
        startedAt: context.df.currentUtcDateTime.toISOString(),
        endedAt: context.df.currentUtcDateTime.toISOString(),
        snapshots: [],
      },
      retryPolicies.storage,
    );
  }

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

function crashed(target: RunTarget, error: unknown): VmOutcome {
  const why = error instanceof Error ? error.message : String(error);
  return {
    vmId: target.vmId,
    vmName: target.name,
    consistency: 'failed',
    expected: 'crash-consistent',
    reason: `Failed: the VM's backup orchestration failed: ${why.slice(0, 300)}`,
  };
}

df.app.orchestration('backupPolicy', backupPolicy);
