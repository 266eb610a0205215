import { type Consistency, CONSISTENCY_LEVELS, type RunStatus } from './consistency.js';

export interface VmOutcomeSummary {
  vmId: string;
  consistency: Consistency;
  /** What the policy aimed for: a VM that got less than this is a warning. */
  expected: Consistency;
}

export interface RunSummary {
  status: RunStatus;
  counts: Record<Consistency, number>;
  vms: number;
}

const RANK = new Map(CONSISTENCY_LEVELS.map((level, index) => [level, index]));

/**
 * A run's status: Canceled when it was canceled; Failed when any VM failed; Warning when any VM got less consistency
 * than its policy aimed for, was skipped or was not running; Success otherwise. Deterministic (used by orchestrators).
 */
export function summarizeRun(outcomes: readonly VmOutcomeSummary[], canceled = false): RunSummary {
  const counts = Object.fromEntries(CONSISTENCY_LEVELS.map((level) => [level, 0])) as Record<Consistency, number>;
  for (const outcome of outcomes) counts[outcome.consistency]++;
  const degraded = outcomes.some((o) => (RANK.get(o.consistency) ?? 0) > (RANK.get(o.expected) ?? 0));
  const status: RunStatus = canceled ? 'Canceled' : counts.failed > 0 ? 'Failed' : degraded ? 'Warning' : 'Success';
  return { status, counts, vms: outcomes.length };
}
