import { z } from 'zod';

import { SnapshotResourceId } from './resourceId.js';

/** Snapshots of one subscription, by id: the shape of an activity input, with `inOneSubscription` as its refinement. */
export const SnapshotSet = {
  subscriptionId: z.string().min(1),
  snapshotIds: z.array(SnapshotResourceId).min(1),
};

/**
 * The client is made for `subscriptionId`: a snapshot of another subscription would be looked up, and changed, under
 * its resource group and name in the wrong one.
 */
export const inOneSubscription: [
  check: (input: { subscriptionId: string; snapshotIds: string[] }) => boolean,
  params: { message: string; path: string[] },
] = [
  (input) =>
    input.snapshotIds.every(
      (id) => /^\/subscriptions\/([^/]+)\//i.exec(id)?.[1]?.toLowerCase() === input.subscriptionId.toLowerCase(),
    ),
  { message: 'every snapshot must be in subscriptionId', path: ['snapshotIds'] },
];
