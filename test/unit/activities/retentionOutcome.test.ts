import { RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';

import type { ApplyRetentionInput } from '../../../activities/applyRetention.contract.js';
import { retain, withRetention } from '../../../activities/retentionOutcome.js';
import { VmResult } from '../../../shared/results/RunStore.js';

const input: ApplyRetentionInput = {
  policy: 'nightly',
  vm: { subscriptionId: 'sub', resourceGroup: 'rg', name: 'db-1' },
  diskIds: ['/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/disks/db-1-os'],
  retention: { keepLast: 3, minimumKept: 1 },
  dryRun: false,
};

const result = VmResult.parse({
  runId: 'run-1',
  vmId: '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/db-1',
  vmName: 'db-1',
  consistency: 'crash-consistent',
  reason: 'Crash-consistent: guest processing is off.',
  warnings: ['the VM has a disk being resized'],
  instanceId: 'run-1--db-1',
  startedAt: '2026-12-02T03:00:00Z',
  endedAt: '2026-12-02T03:00:05Z',
  evidence: { copy: 'ready' },
});

describe("finishVm's retention outcome", () => {
  it('turns a listing that fails past its retries into an outcome: nothing deleted, and why', async () => {
    const throttled = new RestError('Too many requests', { statusCode: 429, code: 'TooManyRequests' });
    const done = await retain(input, () => Promise.reject(throttled));
    expect(done).toEqual({ deleted: [], failed: [], error: '429 TooManyRequests: Too many requests' });
    const recorded = withRetention(result, done);
    expect(recorded.warnings).toEqual([
      'the VM has a disk being resized',
      'retention did not run: 429 TooManyRequests: Too many requests',
    ]);
    expect(recorded.consistency).toBe('crash-consistent');
  });

  it('keeps what was deleted and warns about each snapshot it could not delete, with counts in the evidence', async () => {
    const done = await retain(input, () =>
      Promise.resolve({
        dryRun: false,
        kept: [],
        deleted: [{ id: 'snap-old', because: 'older than the newest 3' }],
        failed: [{ id: 'snap-locked', error: '409 ScopeLocked: a delete lock' }],
        ignored: 4,
      }),
    );
    const recorded = withRetention(result, done);
    expect(recorded.warnings).toContain('retention could not delete snap-locked: 409 ScopeLocked: a delete lock');
    expect(recorded.evidence).toEqual({ copy: 'ready', retention: { deleted: 1, failed: 1 } });
  });
});
