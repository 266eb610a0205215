import { describeArmError } from '../shared/errors/restErrors.js';
import type { VmResult } from '../shared/results/RunStore.js';
import type { ApplyRetentionInput, ApplyRetentionOutput } from './applyRetention.contract.js';
import { applyRetention } from './applyRetention.js';
import type { RetentionDone } from './finishVm.contract.js';

/** The policy's retention over the VM's snapshots, as an outcome: a failure to list them is one too. */
export async function retain(
  input: ApplyRetentionInput,
  apply: (input: ApplyRetentionInput) => Promise<ApplyRetentionOutput> = applyRetention,
): Promise<RetentionDone> {
  try {
    const { deleted, failed } = await apply(input);
    return { deleted, failed };
  } catch (error: unknown) {
    // Listing the snapshots failed past the client's own retries: nothing was deleted; the next run tries again.
    return { deleted: [], failed: [], error: describeArmError(error) };
  }
}

/** The result with what retention did: a warning per snapshot it could not delete, and counts in the evidence. */
export function withRetention(result: VmResult, retained: RetentionDone): VmResult {
  const warnings = [
    ...result.warnings,
    ...(retained.error ? [`retention did not run: ${retained.error}`] : []),
    ...retained.failed.map((f) => `retention could not delete ${f.id}: ${f.error}`),
  ];
  const evidence = typeof result.evidence === 'object' && result.evidence !== null ? result.evidence : {};
  return {
    ...result,
    warnings,
    evidence: { ...evidence, retention: { deleted: retained.deleted.length, failed: retained.failed.length } },
  };
}
