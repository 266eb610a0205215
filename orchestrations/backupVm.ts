import type { OrchestrationContext, Task } from 'durable-functions';
import * as df from 'durable-functions';

import type { InspectVmOutput } from '../activities/inspectVm.contract.js';
import { claimVmContract } from '../activities/vmClaims.contract.js';
import { decideVerdict, NOT_STARTED_REASON, type Verdict } from '../shared/results/verdict.js';
import { BackupVmInput } from '../shared/runs/runInputs.js';
import { callActivity } from './callActivity.js';
import { concludeVm } from './concludeVm.js';
import { expectedConsistency } from './expectedConsistency.js';
import { freezeCommand } from './freezeCommand.js';
import { freezeGuest, preflight, thawGuest } from './guestPhases.js';
import { retryPolicies } from './retryPolicies.js';
import { collectPendingSnapshots, snapshotDisks } from './snapshotPhase.js';
import { VmBackupState, type VmOutcome } from './VmBackupState.js';

/** Longer than any run should hold a VM; a claim left by a run that died expires after this. */
const CLAIM_TTL_MINUTES = 180;

/**
 * One VM in one run (DESIGN.md steps 1-7): claim and inspect it (one activity), preflight, freeze, snapshot every
 * disk, thaw, decide the verdict from evidence, then tag, wait for the copy, apply retention and record. The thaw is
 * a compensation: it follows every freeze attempt, whatever failed or was canceled in between.
 */
export function* backupVm(context: OrchestrationContext): Generator<Task, VmOutcome, unknown> {
  const state = new VmBackupState(context, BackupVmInput.parse(context.df.getInput()));
  const { input } = state;
  state.enter('claiming');
  let verdict: Verdict;
  try {
    const claim = yield* callActivity(
      context,
      claimVmContract,
      { vmId: input.vmId, runId: input.runId, ttlMinutes: CLAIM_TTL_MINUTES },
      retryPolicies.armRead,
    );
    if ('runCanceled' in claim) {
      verdict = { consistency: 'canceled', reason: NOT_STARTED_REASON, warnings: [] };
    } else if (!claim.claimed) {
      verdict = {
        consistency: 'skipped',
        reason: `Skipped: the VM is already being backed up by run ${claim.heldBy} (since ${claim.since}).`,
        warnings: [],
      };
    } else {
      state.claimEtag = claim.etag;
      verdict = yield* backUp(state, claim.vm);
    }
  } catch (error: unknown) {
    // Recorded like any failure; finishVm releases the claim if this run got it.
    verdict = { consistency: 'failed', reason: `Failed: ${messageOf(error)}.`, warnings: [] };
  }
  yield* concludeVm(state, verdict);
  return outcomeOf(state, verdict);
}

function* backUp(state: VmBackupState, vm: InspectVmOutput): Generator<Task, Verdict> {
  const { input, evidence } = state;
  const plan = input.plan;
  if (!vm.found) return { consistency: 'failed', reason: `Failed: ${vm.reason}`, warnings: [] };
  state.vm = vm;
  evidence.vmRunning = vm.running;
  const quiesce = plan.guestProcessing.enabled && vm.running;
  evidence.guestProcessing = quiesce ? 'on' : 'off';
  const freeze = freezeCommand(plan, vm.os);

  if (quiesce && plan.guestProcessing.preflightRequired) {
    state.enter('preflight');
    const problem = yield* preflight(state, vm, freeze);
    if (state.canceled) return canceled(state);
    if (problem) {
      evidence.preflightFailure = { reason: problem, action: plan.failureActions.preflight };
      if (plan.failureActions.preflight !== 'continue') return decideVerdict(evidence);
    }
  }
  if (!quiesce || evidence.preflightFailure) {
    state.knownConsistency = vm.running ? 'crash-consistent' : 'not-running';
    yield* snapshotDisks(state, vm);
    if (state.canceledDuring) {
      yield* collectPendingSnapshots(state, vm);
      return canceled(state);
    }
    return decideVerdict(evidence);
  }

  try {
    state.enter('freezing');
    yield* freezeGuest(state, vm, freeze);
    const frozenOrContinuing = evidence.freeze?.outcome === 'frozen' || evidence.freeze?.action === 'continue';
    if (!state.canceled && frozenOrContinuing) yield* snapshotDisks(state, vm);
  } finally {
    if (state.freezeSent) yield* thawGuest(state, vm);
  }
  yield* collectPendingSnapshots(state, vm);
  if (state.canceledDuring && !state.snapshotsSettledBeforeThaw) return canceled(state);
  const verdict = decideVerdict(evidence);
  return state.postScriptFailsVm && verdict.consistency !== 'failed'
    ? {
        ...verdict,
        consistency: 'failed',
        reason: `Failed: the post-snapshot script failed and the policy fails the VM for it (${verdict.warnings.join('; ')}).`,
      }
    : verdict;
}

function canceled(state: VmBackupState): Verdict {
  const thaw = state.evidence.thaw;
  const thawed =
    thaw?.outcome === 'thawed'
      ? ` The guest was thawed first (${thaw.reason === 'command' ? 'by the thaw command' : thaw.reason}).`
      : state.freezeSent
        ? ' The thaw command was sent; the agent did not confirm it.'
        : '';
  const taken = state.evidence.snapshots.filter((s) => s.ok).length;
  const kept = taken > 0 ? ` ${taken} snapshot(s) finished anyway and are kept as crash-consistent.` : '';
  return {
    consistency: 'canceled',
    reason: `Canceled by an operator during ${state.canceledDuring ?? 'the backup'}.${thawed}${kept}`,
    warnings: [],
  };
}

function outcomeOf(state: VmBackupState, verdict: Verdict): VmOutcome {
  const vm = state.vm;
  return {
    vmId: state.input.vmId,
    vmName: state.vmName,
    consistency: verdict.consistency,
    expected: vm ? expectedConsistency(state.input.plan, vm.os) : 'crash-consistent',
    reason: verdict.reason,
    ...(state.handOff ? { handOff: state.handOff } : {}),
  };
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}

df.app.orchestration('backupVm', backupVm);
