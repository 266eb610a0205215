import type { Task } from 'durable-functions';

import type { InspectedVm } from '../activities/inspectVm.contract.js';
import { preflightContract } from '../activities/preflight.contract.js';
import type { FreezeBody } from '../shared/protocol/index.js';
import { callActivity } from './callActivity.js';
import { freezeWaitSeconds, scriptsFor, thawWaitSeconds } from './freezeCommand.js';
import { askGuest, awaitGuest, type Conversation } from './guestConversation.js';
import { freezeFailureReason, frozenSteps, isPreScriptFailure, pongProblem, postScriptStep } from './guestEvidence.js';
import { retryPolicies } from './retryPolicies.js';
import type { VmBackupState } from './VmBackupState.js';

/** Leaves this much of the watchdog's time unused, so the thaw command lands before the watchdog fires. */
const WATCHDOG_MARGIN_MS = 1_500;

function conversation(state: VmBackupState, cancelable: boolean): Conversation {
  return {
    context: state.context,
    runId: state.input.runId,
    vmId: state.input.vmId,
    ...(cancelable ? { cancel: state.cancel } : {}),
  };
}

/**
 * Step 2: is an agent enrolled, can it reach Storage, does it answer a ping, and can it do what this freeze asks
 * (scripts present, fsfreeze or VSS usable)? Returns the problems as one sentence, or undefined when all is well.
 */
export function* preflight(
  state: VmBackupState,
  vm: InspectedVm,
  freeze: FreezeBody,
): Generator<Task, string | undefined> {
  const plan = state.input.plan;
  const check = yield* callActivity(
    state.context,
    preflightContract,
    { vmId: vm.vmId, nicIds: vm.nicIds, region: vm.location },
    retryPolicies.armRead,
  );
  const blocked = check.egress.checked && !check.egress.allowed ? check.egress.reason : undefined;
  if (!check.agentEnrolled) {
    return [
      'no Quiesce agent is enrolled for this VM (install it and run `quiesce agents enroll`)',
      ...(blocked ? [blocked] : []),
    ].join('; ');
  }
  const scripts = [freeze.preScript?.name, freeze.postScript?.name].filter((name): name is string => !!name);
  const answer = yield* askGuest(
    conversation(state, true),
    { type: 'ping', body: { scripts } },
    ['pong'],
    plan.guestProcessing.ackTimeoutSeconds,
  );
  switch (answer.kind) {
    case 'canceled':
      state.canceledDuring = 'preflight';
      return undefined;
    case 'not-sent':
      return [answer.reason, ...(blocked ? [blocked] : [])].join('; ');
    case 'timeout':
      return [`the agent did not answer ping within ${answer.waitedSeconds} s`, ...(blocked ? [blocked] : [])].join(
        '; ',
      );
    case 'reply': {
      state.replies.pong = answer.reply.body;
      if (blocked) state.warnings.push(`${blocked}, yet the agent answered: check the NSG evaluation`);
      return pongProblem(answer.reply.body, freeze, state.input.runId);
    }
  }
}

/**
 * Step 3: freeze the guest and wait for `frozen` or `freeze-failed`. A failed pre-script retries the whole quiesce
 * (its `retries`); the outcome lands in the verdict evidence with the action the policy takes for it.
 */
export function* freezeGuest(state: VmBackupState, vm: InspectedVm, freeze: FreezeBody): Generator<Task, void> {
  const plan = state.input.plan;
  const preScript = scriptsFor(plan, vm.os).preScript;
  const attempts = 1 + (preScript?.retries ?? 0);
  for (let attempt = 1; ; attempt++) {
    state.freezeSent = true;
    state.mark(attempt === 1 ? 'freezeSent' : `freezeSent#${attempt}`);
    const answer = yield* askGuest(
      conversation(state, true),
      { type: 'freeze', body: freeze },
      ['frozen', 'freeze-failed'],
      freezeWaitSeconds(plan, vm.os),
    );
    switch (answer.kind) {
      case 'canceled':
        state.canceledDuring = 'freezing';
        return;
      case 'not-sent':
        state.freezeSent = false;
        state.evidence.freeze = { outcome: 'failed', reason: answer.reason, action: plan.failureActions.quiesce };
        return;
      case 'timeout':
        state.evidence.freeze = {
          outcome: 'no-reply',
          waitedSeconds: answer.waitedSeconds,
          action: plan.failureActions.quiesce,
        };
        return;
      case 'reply':
        break;
    }
    const reply = answer.reply;
    if (reply.type === 'frozen') {
      state.mark('frozen');
      state.replies.frozen = reply.body;
      state.evidence.freeze = { outcome: 'frozen', steps: frozenSteps(reply.body) };
      state.frozenUntil = new Date(
        answer.receivedAt.getTime() + plan.guestProcessing.maxFrozenSeconds * 1000 - WATCHDOG_MARGIN_MS,
      );
      return;
    }
    state.replies.freezeFailed.push(reply.body);
    const preScriptFailed = isPreScriptFailure(reply.body);
    if (preScriptFailed && attempt < attempts && !state.canceled) continue;
    const tries = attempt > 1 ? ` (${attempt} attempts)` : '';
    state.evidence.freeze = {
      outcome: 'failed',
      reason: `${freezeFailureReason(reply.body)}${tries}`,
      action: preScriptFailed && preScript ? preScript.onFailure : plan.failureActions.quiesce,
    };
    return;
  }
}

/**
 * Step 5: the thaw, sent after every freeze attempt whatever happened since (never canceled). The agent's answer
 * says how it thawed; only a thaw by command, sent after every snapshot operation succeeded, proves the freeze.
 */
export function* thawGuest(state: VmBackupState, vm: InspectedVm): Generator<Task, void> {
  const plan = state.input.plan;
  state.enter('thawing');
  const talk = conversation(state, false);
  const waitSeconds = thawWaitSeconds(plan, vm.os);
  // The snapshot activity put the thaw on the queue as soon as the last operation settled; otherwise it goes now.
  const answer = state.thawSentWithSnapshots
    ? yield* awaitGuest(talk, ['thawed'], waitSeconds)
    : yield* askGuest(talk, { type: 'thaw', body: {} }, ['thawed'], waitSeconds);
  if (answer.kind === 'timeout') {
    state.evidence.thaw = { outcome: 'no-reply', waitedSeconds: answer.waitedSeconds };
    return;
  }
  if (answer.kind !== 'reply') {
    state.evidence.thaw = { outcome: 'no-reply', waitedSeconds: 0 };
    state.warnings.push(
      `the thaw command could not be sent: ${answer.kind === 'not-sent' ? answer.reason : answer.kind}`,
    );
    return;
  }
  state.mark('thawed');
  const body = answer.reply.body;
  state.replies.thawed = body;
  const postScript = postScriptStep(body.postScript);
  state.evidence.thaw = {
    outcome: 'thawed',
    reason: body.thawReason,
    frozenSeconds: Math.round(body.frozenDurationMs / 100) / 10,
    commandSentAfterSnapshots: state.snapshotsSettledBeforeThaw,
    ...(postScript ? { postScript } : {}),
  };
  const postSpec = scriptsFor(plan, vm.os).postScript;
  if (postScript && !postScript.ok && postSpec?.onFailure === 'fail') state.postScriptFailsVm = true;
}
