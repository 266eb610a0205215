import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { inOneSubscription, SnapshotSet } from '../../../../shared/arm/snapshotSet.js';

const snapshot = (subscription: string) =>
  `/subscriptions/${subscription}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/snap-1`;
const Input = z.object(SnapshotSet).refine(...inOneSubscription);
const issuePaths = (input: unknown) => Input.safeParse(input).error?.issues.map((i) => i.path);

describe('SnapshotSet', () => {
  it('accepts snapshot ids of the given subscription, whatever the case', () => {
    expect(Input.safeParse({ subscriptionId: 'SUB-A', snapshotIds: [snapshot('sub-a')] }).success).toBe(true);
  });

  it('refuses a snapshot of another subscription, an id that is not a snapshot, and an empty list', () => {
    expect(issuePaths({ subscriptionId: 'sub-a', snapshotIds: [snapshot('sub-b')] })).toEqual([['snapshotIds']]);
    expect(issuePaths({ subscriptionId: 'sub-a', snapshotIds: ['/subscriptions/sub-a/resourceGroups/rg'] })).toEqual([
      ['snapshotIds', 0],
    ]);
    expect(issuePaths({ subscriptionId: 'sub-a', snapshotIds: [] })).toEqual([['snapshotIds']]);
  });
});
