import { CONSISTENCY_LEVELS } from '../shared/results/consistency.js';
import type { RunSummary } from '../shared/results/summarizeRun.js';

/** "12 VMs: 10 application-consistent, 1 crash-consistent, 1 failed" (levels with no VM left out). */
export function describeCounts(summary: RunSummary): string {
  const parts = CONSISTENCY_LEVELS.filter((level) => summary.counts[level] > 0).map(
    (level) => `${summary.counts[level]} ${level}`,
  );
  return `${summary.vms} VM${summary.vms === 1 ? '' : 's'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}
