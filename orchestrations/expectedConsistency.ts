import type { Consistency } from '../shared/results/consistency.js';
import type { RunPlan } from '../shared/runs/runInputs.js';
import type { GuestOs } from './freezeCommand.js';
import { scriptsFor } from './freezeCommand.js';

/**
 * What the plan aims for on this OS: application-consistent with VSS or a pre-snapshot script, file-system-consistent
 * with fsfreeze alone, crash-consistent with guest processing off. A VM that gets less is a warning.
 */
export function expectedConsistency(plan: RunPlan, os: GuestOs): Consistency {
  const guest = plan.guestProcessing;
  if (!guest.enabled) return 'crash-consistent';
  if (scriptsFor(plan, os).preScript) return 'application-consistent';
  if (os === 'windows') return guest.applicationAware.vss ? 'application-consistent' : 'crash-consistent';
  return guest.linux.fsfreeze.enabled ? 'file-system-consistent' : 'crash-consistent';
}
