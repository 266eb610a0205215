import type { FailureAction } from '../policy/BackupPolicy.js';
import type { Consistency } from './consistency.js';

/** One quiesce step as the agent reported it. */
export interface QuiesceStep {
  kind: 'pre-script' | 'post-script' | 'vss' | 'fsfreeze';
  ok: boolean;
  /** e.g. "exited 3: <output tail>", "writer SqlServerWriter failed: retryable", "froze / and /data". */
  detail?: string;
}

/** Everything the verdict is decided from: what the orchestration observed, and what the agent reported. */
export interface VerdictEvidence {
  vmRunning: boolean;
  guestProcessing: 'off' | 'on';
  /** Set when preflight failed: the sentence saying why, and what the policy does about it. */
  preflightFailure?: { reason: string; action: FailureAction };
  freeze?:
    | { outcome: 'frozen'; steps: QuiesceStep[] }
    | { outcome: 'failed'; reason: string; action: FailureAction }
    | { outcome: 'no-reply'; waitedSeconds: number; action: FailureAction };
  snapshots: { disk: string; ok: boolean; error?: string }[];
  thaw?:
    | {
        outcome: 'thawed';
        reason: ThawReason;
        frozenSeconds?: number;
        commandSentAfterSnapshots: boolean;
        postScript?: QuiesceStep;
      }
    | { outcome: 'no-reply'; waitedSeconds: number };
}

/** Why the agent thawed (the guest protocol's ThawReason): only `command` can prove the freeze covered the snapshots. */
export type ThawReason = 'command' | 'deadline' | 'vss-timeout' | 'holder-exited' | 'shutdown' | 'not-frozen';

const EARLY_THAW: Record<Exclude<ThawReason, 'command'>, string> = {
  deadline: "the agent's watchdog thawed the guest",
  'vss-timeout': 'VSS released the held writes at its 10 s limit',
  'holder-exited': 'the process holding the freeze exited',
  shutdown: 'the agent was stopping and thawed first',
  'not-frozen': 'the agent held no freeze for this run',
};

/** Why a VM of a canceled run was never started. */
export const NOT_STARTED_REASON = 'Canceled by an operator before this VM was started.';

export interface Verdict {
  consistency: Consistency;
  /** A sentence a person can act on. */
  reason: string;
  /** Problems that did not change the consistency (a post-script that failed after a proven thaw). */
  warnings: string[];
}

/**
 * The consistency a VM's backup proved. Application-consistent needs an application-level quiesce that succeeded
 * (VSS or the owner's pre-snapshot script), a thaw the agent attributes to the thaw command (not its watchdog), and
 * that command sent only after every disk's snapshot operation had succeeded; with fsfreeze alone it is
 * file-system-consistent. Anything not proven is crash-consistent, and says why.
 */
export function decideVerdict(evidence: VerdictEvidence): Verdict {
  const warnings: string[] = [];
  const failedDisks = evidence.snapshots.filter((s) => !s.ok);
  if (!evidence.vmRunning) {
    return failedDisks.length
      ? failed(failedDisks)
      : { consistency: 'not-running', reason: 'The VM was not running: its disks were snapshotted at rest.', warnings };
  }
  if (evidence.preflightFailure?.action === 'skip')
    return { consistency: 'skipped', reason: `Skipped: ${evidence.preflightFailure.reason}.`, warnings };
  if (evidence.preflightFailure?.action === 'fail')
    return { consistency: 'failed', reason: `Preflight failed: ${evidence.preflightFailure.reason}.`, warnings };
  const freeze = evidence.freeze;
  if (freeze && freeze.outcome !== 'frozen' && freeze.action !== 'continue') {
    const why =
      freeze.outcome === 'failed'
        ? freeze.reason
        : `the agent did not report the freeze within ${freeze.waitedSeconds} s`;
    return {
      consistency: freeze.action === 'skip' ? 'skipped' : 'failed',
      reason: `${freeze.action === 'skip' ? 'Skipped' : 'Failed'}: ${why}.`,
      warnings,
    };
  }
  if (failedDisks.length) return failed(failedDisks);

  const crash = (reason: string): Verdict => ({ consistency: 'crash-consistent', reason, warnings });
  if (evidence.guestProcessing === 'off') return crash('Crash-consistent: guest processing is off for this VM.');
  if (evidence.preflightFailure) return crash(`Crash-consistent: ${evidence.preflightFailure.reason}.`);
  if (!freeze) return crash('Crash-consistent: the guest was not quiesced.');
  if (freeze.outcome === 'failed') return crash(`Crash-consistent: ${freeze.reason}.`);
  if (freeze.outcome === 'no-reply')
    return crash(`Crash-consistent: the agent did not report the freeze within ${freeze.waitedSeconds} s.`);

  const thaw = evidence.thaw;
  if (!thaw || thaw.outcome === 'no-reply') {
    return crash(
      `Crash-consistent: the agent did not confirm the thaw${thaw ? ` within ${thaw.waitedSeconds} s` : ''}, so the freeze cannot be proven to cover the snapshots.`,
    );
  }
  if (thaw.reason !== 'command') {
    const after = thaw.frozenSeconds !== undefined ? ` after ${thaw.frozenSeconds} s` : '';
    return crash(
      `Crash-consistent: ${EARLY_THAW[thaw.reason]}${after} before the thaw command came, so the snapshots may postdate the freeze.`,
    );
  }
  if (!thaw.commandSentAfterSnapshots) {
    return crash('Crash-consistent: the thaw command was sent before every snapshot operation had succeeded.');
  }
  if (thaw.postScript && !thaw.postScript.ok)
    warnings.push(`post-snapshot script failed${thaw.postScript.detail ? `: ${thaw.postScript.detail}` : ''}`);

  const applicationStep = freeze.steps.find((s) => (s.kind === 'vss' || s.kind === 'pre-script') && s.ok);
  const failedStep = freeze.steps.find((s) => !s.ok);
  const frozen = freeze.steps.some((s) => s.kind === 'fsfreeze' && s.ok);
  const during = `all ${evidence.snapshots.length} disk snapshot(s) were taken while the guest was quiesced`;
  if (applicationStep && !failedStep) {
    const how =
      applicationStep.kind === 'vss' ? 'VSS writers prepared their data' : 'the pre-snapshot script succeeded';
    return {
      consistency: 'application-consistent',
      reason: `Application-consistent: ${how}${frozen ? ' and the filesystems were frozen' : ''}; ${during}.`,
      warnings,
    };
  }
  if (frozen) {
    const why = failedStep ? ` (${failedStep.kind} failed${failedStep.detail ? `: ${failedStep.detail}` : ''})` : '';
    return {
      consistency: 'file-system-consistent',
      reason: `File-system-consistent: the filesystems were frozen${why}; ${during}.`,
      warnings,
    };
  }
  return crash(
    `Crash-consistent: no quiesce step succeeded${failedStep ? ` (${failedStep.kind}${failedStep.detail ? `: ${failedStep.detail}` : ' failed'})` : ''}.`,
  );
}

function failed(disks: { disk: string; error?: string }[]): Verdict {
  const list = disks.map((d) => `${d.disk}${d.error ? ` (${d.error})` : ''}`).join(', ');
  return { consistency: 'failed', reason: `Failed: the snapshot of ${list} did not succeed.`, warnings: [] };
}
