import { z } from 'zod';

/** Preflight, network half (part of the preflight activity): may the agent reach Azure Storage on 443? */
export const CheckStorageEgressOutput = z.discriminatedUnion('checked', [
  z.object({ checked: z.literal(true), allowed: z.boolean(), reason: z.string() }),
  z.object({ checked: z.literal(false), reason: z.string() }),
]);
export type CheckStorageEgressOutput = z.infer<typeof CheckStorageEgressOutput>;
