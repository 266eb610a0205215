import { describe, expect, it } from 'vitest';

import { FaultInjector } from '../../../../../local/arm/faults/FaultInjector.js';
import { FaultRuleInput } from '../../../../../local/arm/faults/FaultRule.js';

const request = {
  method: 'PUT',
  path: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/snapshots/snap-1',
  resourceName: 'snap-1',
};

describe('FaultInjector', () => {
  it('matches by method, path and resource, skips the first matches and stops after its count', () => {
    const faults = new FaultInjector();
    faults.add(
      FaultRuleInput.parse({
        match: { method: 'PUT', path: '/snapshots/', resource: 'SNAP-1' },
        action: { kind: 'error', status: 503 },
        skip: 1,
        count: 2,
      }),
    );
    const kinds = Array.from({ length: 5 }, () => faults.take(request)?.kind);
    expect(kinds).toEqual([undefined, 'error', 'error', undefined, undefined]);
    expect(faults.take({ ...request, method: 'GET' })).toBeUndefined();
  });

  it('rejects rules that are not valid, naming the field', () => {
    const parsed = FaultRuleInput.safeParse({ match: { method: 'FETCH' }, action: { kind: 'delay' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['match.method', 'action.delayMs']),
    );
  });
});
