import type { ScriptSpec } from '../shared/policy/BackupPolicy.js';
import type { FreezeBody, ScriptStep } from '../shared/protocol/index.js';
import type { RunPlan } from '../shared/runs/runInputs.js';

export type GuestOs = 'linux' | 'windows';

/** The scripts the policy names for this OS: the pre- and post-snapshot script, when set. */
export function scriptsFor(plan: RunPlan, os: GuestOs): { preScript?: ScriptSpec; postScript?: ScriptSpec } {
  const scripts = os === 'linux' ? plan.guestProcessing.linux : plan.guestProcessing.windows;
  return {
    ...(scripts.preScript ? { preScript: scripts.preScript } : {}),
    ...(scripts.postScript ? { postScript: scripts.postScript } : {}),
  };
}

/**
 * The freeze command for a VM: the owner's pre/post scripts for its OS; on Windows VSS (copy-only or full), on Linux
 * fsfreeze of the policy's mounts (all local writable filesystems when none are listed); and the watchdog limit.
 */
export function freezeCommand(plan: RunPlan, os: GuestOs): FreezeBody {
  const { preScript, postScript } = scriptsFor(plan, os);
  const guest = plan.guestProcessing;
  const vss = os === 'windows' && guest.applicationAware.vss;
  const fsfreeze = os === 'linux' && guest.linux.fsfreeze.enabled;
  const mounts = guest.linux.fsfreeze.mounts;
  return {
    maxFrozenSeconds: guest.maxFrozenSeconds,
    ...(preScript ? { preScript: scriptStep(preScript) } : {}),
    ...(postScript ? { postScript: scriptStep(postScript) } : {}),
    ...(vss
      ? { vss: { backupType: guest.applicationAware.vssBackupType === 'full' ? 'full' : 'copy', writers: {} } }
      : {}),
    ...(fsfreeze ? { fsfreeze: { mounts: mounts.length > 0 ? mounts : 'all' } } : {}),
  };
}

function scriptStep(spec: ScriptSpec): ScriptStep {
  return {
    name: spec.path,
    args: spec.args,
    timeoutSeconds: spec.timeoutSeconds,
    ignoreMissing: spec.ignoreMissing,
    retries: spec.retries,
  };
}

/** How long to wait for the `frozen` reply: the acknowledgement time plus the pre-script's own time limit. */
export function freezeWaitSeconds(plan: RunPlan, os: GuestOs): number {
  return plan.guestProcessing.ackTimeoutSeconds + (scriptsFor(plan, os).preScript?.timeoutSeconds ?? 0);
}

/** How long to wait for the `thawed` reply: acknowledgement plus every post-script attempt's time limit. */
export function thawWaitSeconds(plan: RunPlan, os: GuestOs): number {
  const post = scriptsFor(plan, os).postScript;
  return plan.guestProcessing.ackTimeoutSeconds + (post ? post.timeoutSeconds * (1 + post.retries) : 0);
}
