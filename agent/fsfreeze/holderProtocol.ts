// zod/mini: the freeze holder's own bundle imports this, and it starts inside the freeze window of other VMs' agents
// on a shared host; full zod would triple its start-up time.
import * as z from 'zod/mini';

/** What the agent passes to the freeze holder (one JSON argument). */
export const HolderSpec = z.object({
  mounts: z.array(z.string().check(z.startsWith('/'))).check(z.minLength(1)),
  /** The holder thaws on its own this long after the freeze, whatever happens to the agent. */
  deadlineMs: z.number().check(z.int(), z.positive()),
  binary: z.string(),
  lockFile: z.string(),
  /** Per fsfreeze call; a freeze that does not return in time fails the freeze. */
  callTimeoutMs: z._default(z.number().check(z.int(), z.positive()), 20_000),
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
