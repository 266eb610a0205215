import { z } from 'zod';

const HttpMethod = z.enum(['GET', 'PUT', 'POST', 'PATCH', 'DELETE']);

/** Which requests a rule applies to; every given field must match. */
export const FaultMatch = z
  .object({
    method: HttpMethod.optional(),
    /** A regular expression tested, case-insensitively, against the request path (without the query). */
    path: z
      .string()
      .refine((source) => {
        try {
          new RegExp(source, 'i');
          return true;
        } catch {
          return false;
        }
      }, 'not a valid regular expression')
      .optional(),
    /** The name of the resource the request is about (last name in the path, e.g. a snapshot or VM name). */
    resource: z.string().min(1).optional(),
  })
  .strict();

const ErrorAction = z
  .object({
    kind: z.literal('error'),
    status: z.number().int().min(400).max(599),
    code: z.string().min(1).optional(),
    message: z.string().optional(),
    /** Sent as Retry-After (seconds). Leave out for a 429 without Retry-After, which the SDK does not retry. */
    retryAfterSeconds: z.number().int().nonnegative().optional(),
  })
  .strict();

const DelayAction = z.object({ kind: z.literal('delay'), delayMs: z.number().int().nonnegative() }).strict();
/** The request is read and never answered (until the client gives up or the simulator stops). */
const HangAction = z.object({ kind: z.literal('hang') }).strict();
/** The long-running operation the request starts ends Failed (snapshot PUT/DELETE, effective NSG POST). */
const FailOperationAction = z
  .object({
    kind: z.literal('failOperation'),
    code: z.string().min(1).default('InternalOperationError'),
    message: z.string().default('The operation failed (injected fault).'),
  })
  .strict();
/** Side effects, applied when the rule matches; the request itself then proceeds normally. */
const DeallocateVmAction = z
  .object({ kind: z.literal('deallocateVm'), resourceGroup: z.string().min(1), vm: z.string().min(1) })
  .strict();
const DetachDiskAction = z
  .object({ kind: z.literal('detachDisk'), resourceGroup: z.string().min(1), disk: z.string().min(1) })
  .strict();

export const FaultAction = z.discriminatedUnion('kind', [
  ErrorAction,
  DelayAction,
  HangAction,
  FailOperationAction,
  DeallocateVmAction,
  DetachDiskAction,
]);
export type FaultAction = z.infer<typeof FaultAction>;

export const FaultRuleInput = z
  .object({
    match: FaultMatch.default({}),
    action: FaultAction,
    /** How many matching requests the rule applies to (then it is spent); unlimited when left out. */
    count: z.number().int().positive().optional(),
    /** How many matching requests pass untouched before the rule starts to apply. */
    skip: z.number().int().nonnegative().default(0),
  })
  .strict();
export type FaultRuleInput = z.infer<typeof FaultRuleInput>;
