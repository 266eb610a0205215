import { z } from 'zod';

/** What the agent passes to the freeze holder (one JSON argument). */
export const HolderSpec = z.object({
  mounts: z.array(z.string().startsWith('/')).min(1),
  /** The holder thaws on its own this long after the freeze, whatever happens to the agent. */
  deadlineMs: z.number().int().positive(),
  binary: z.string(),
  lockFile: z.string(),
  /** Per fsfreeze call; a freeze that does not return in time fails the freeze. */
  callTimeoutMs: z.number().int().positive().default(20_000),
});
export type HolderSpec = z.infer<typeof HolderSpec>;

/** Why the holder thawed: told to, its own deadline, its agent vanished (stdin closed), or a signal. */
export const HolderThawReason = z.enum(['command', 'deadline', 'agent-lost', 'signal']);

/** JSON lines the holder writes on stdout. */
export const HolderEvent = z.discriminatedUnion('event', [
  z.object({ event: z.literal('frozen'), mounts: z.array(z.string()) }),
  z.object({
    event: z.literal('freeze-failed'),
    code: z.enum(['FSFREEZE_ALREADY_HELD', 'FSFREEZE_FAILED', 'FSFREEZE_UNAVAILABLE']),
    message: z.string(),
  }),
  z.object({ event: z.literal('thawed'), reason: HolderThawReason, errors: z.array(z.string()) }),
]);
export type HolderEvent = z.infer<typeof HolderEvent>;
