import { z } from 'zod';

import { defineActivity } from '../shared/activity/ActivityContract.js';

export const CheckStorageEgressOutput = z.discriminatedUnion('checked', [
  z.object({ checked: z.literal(true), allowed: z.boolean(), reason: z.string() }),
  z.object({ checked: z.literal(false), reason: z.string() }),
]);
export type CheckStorageEgressOutput = z.infer<typeof CheckStorageEgressOutput>;

/**
 * Preflight, network half: do the effective NSGs of the VM's primary NIC let the agent reach Azure Storage on 443
 * (the only way the agent talks to the service)? The answer is a sentence for the verdict's reason.
 */
export const checkStorageEgressContract = defineActivity(
  'checkStorageEgress',
  z.object({ nicIds: z.array(z.string()).min(1), region: z.string().min(1) }),
  CheckStorageEgressOutput,
);
