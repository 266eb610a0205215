import type { Snapshot } from '@azure/arm-compute';
import { describe, expect, it } from 'vitest';

import { policySnapshots } from '../../../activities/policySnapshots.js';

const RG = '/subscriptions/s/resourceGroups/rg-data/providers/Microsoft.Compute';
const DISK = `${RG}/disks/db-1-osdisk`;
const CREATED = new Date('2025-03-01T02:00:00.000Z');

function snapshot(name: string, changes: Partial<Snapshot> = {}, tags: Record<string, string> = {}): Snapshot {
  return {
    id: `${RG}/snapshots/${name}`,
    location: 'eastus',
    provisioningState: 'Succeeded',
    timeCreated: CREATED,
    creationData: { createOption: 'Copy', sourceResourceId: DISK },
    tags: { 'quiesce-managed': 'true', 'quiesce-policy': 'nightly', ...tags },
    ...changes,
  };
}

describe('policySnapshots', () => {
  it("takes the policy's Succeeded snapshots of the given disks, matching disk ids whatever their case", () => {
    const { ours, ignored } = policySnapshots(
      [snapshot('a'), snapshot('b', { creationData: { createOption: 'Copy', sourceResourceId: DISK.toUpperCase() } })],
      'nightly',
      [DISK],
    );
    expect(ours).toEqual([
      { id: `${RG}/snapshots/a`, diskId: DISK.toLowerCase(), createdAt: CREATED.toISOString() },
      { id: `${RG}/snapshots/b`, diskId: DISK.toLowerCase(), createdAt: CREATED.toISOString() },
    ]);
    expect(ignored).toBe(0);
  });

  it('only counts snapshots of others, of another policy or disk, not Succeeded, or without a creation time', () => {
    const { ours, ignored } = policySnapshots(
      [
        snapshot('manual', { tags: { owner: 'someone' } }),
        snapshot('not-managed', {}, { 'quiesce-managed': 'false' }),
        snapshot('weekly', {}, { 'quiesce-policy': 'weekly' }),
        snapshot('on-demand', { tags: { 'quiesce-managed': 'true' } }),
        snapshot('other-disk', {
          creationData: { createOption: 'Copy', sourceResourceId: `${RG}/disks/web-1-osdisk` },
        }),
        snapshot('failed', { provisioningState: 'Failed' }),
        snapshot('creating', { provisioningState: 'Updating', timeCreated: undefined }),
        snapshot('kept'),
      ],
      'nightly',
      [DISK],
    );
    expect(ours.map((s) => s.id)).toEqual([`${RG}/snapshots/kept`]);
    expect(ignored).toBe(7);
  });
});
