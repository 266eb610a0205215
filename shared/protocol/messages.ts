import { z } from 'zod';

import { PROTOCOL_VERSION } from './protocolVersion.js';

const MAX_SCRIPT_NAME_CHARS = 255;
const MAX_ARGS = 32;
const MAX_ARG_CHARS = 1024;

/** A script inside the agent's scripts directory, named by a relative path; the agent resolves and confines it. */
export const ScriptStep = z.object({
  name: z.string().min(1).max(MAX_SCRIPT_NAME_CHARS),
  args: z.array(z.string().max(MAX_ARG_CHARS)).max(MAX_ARGS).default([]),
  timeoutSeconds: z.number().int().min(1).max(3600),
  ignoreMissing: z.boolean().default(false),
  /** Post-snapshot script only: run again this many times after a failure (the service retries a failed pre-script). */
  retries: z.number().int().min(0).max(3).optional(),
});
export type ScriptStep = z.infer<typeof ScriptStep>;

export const VssBackupType = z.enum(['full', 'copy']);
export type VssBackupType = z.infer<typeof VssBackupType>;

export const VssStep = z.object({
  backupType: VssBackupType,
  /** Writer names or ids; when `include` is given only those writers take part. */
  writers: z
    .object({
      include: z.array(z.string().min(1)).max(256).optional(),
      exclude: z.array(z.string().min(1)).max(256).optional(),
    })
    .default({}),
});
export type VssStep = z.infer<typeof VssStep>;

export const FsFreezeStep = z.object({
  /** `all`: every local writable filesystem, network and pseudo filesystems skipped, root last. */
  mounts: z.union([z.literal('all'), z.array(z.string().startsWith('/')).min(1).max(64)]),
});
export type FsFreezeStep = z.infer<typeof FsFreezeStep>;

export const PingBody = z.object({
  /** Scripts the service will name in a freeze, so the pong says whether each exists. */
  scripts: z.array(z.string().min(1).max(MAX_SCRIPT_NAME_CHARS)).max(16).default([]),
});

export const FreezeBody = z.object({
  maxFrozenSeconds: z.number().int().min(1).max(600),
  preScript: ScriptStep.optional(),
  postScript: ScriptStep.optional(),
  vss: VssStep.optional(),
  fsfreeze: FsFreezeStep.optional(),
});
export type FreezeBody = z.infer<typeof FreezeBody>;

export const ThawBody = z.object({});

/** Each step's timing: a wall-clock start for humans and a monotonic duration for arithmetic. */
export const StepTiming = z.object({ startedAt: z.iso.datetime(), durationMs: z.number().nonnegative() });
export type StepTiming = z.infer<typeof StepTiming>;

/** Stable error codes; the service switches on these, never on messages. */
export const AgentErrorCode = z.enum([
  'AGENT_BUSY',
  'UNKNOWN_RUN',
  'NOTHING_TO_QUIESCE',
  'SCRIPT_PATH_REJECTED',
  'SCRIPT_NOT_FOUND',
  'SCRIPT_UNSAFE_PERMISSIONS',
  'SCRIPT_SPAWN_FAILED',
  'SCRIPT_FAILED',
  'SCRIPT_TIMEOUT',
  'FSFREEZE_UNAVAILABLE',
  'FSFREEZE_ALREADY_HELD',
  'FSFREEZE_FAILED',
  'FSFREEZE_HOLDER_EXITED',
  'THAW_FAILED',
  'VSS_UNAVAILABLE',
  'VSS_ERROR',
  'MAX_FROZEN_TOO_LONG',
  'INTERNAL',
]);
export type AgentErrorCode = z.infer<typeof AgentErrorCode>;

export const AgentError = z.object({
  code: AgentErrorCode,
  message: z.string(),
  /** The step the error belongs to: `preScript`, `postScript`, `vss`, `fsfreeze`, `agent`. */
  step: z.string(),
  /** A VSS error name (`VSS_E_HOLD_WRITES_TIMEOUT`) or an HRESULT when `code` is `VSS_ERROR`. */
  detail: z.string().optional(),
});
export type AgentError = z.infer<typeof AgentError>;

export const ScriptResult = z.object({
  name: z.string(),
  status: z.enum(['succeeded', 'failed', 'timed-out', 'missing-ignored', 'rejected']),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  /** The last bytes of stdout and stderr interleaved, as UTF-8. */
  outputTail: z.string(),
  outputTruncated: z.boolean(),
  /** How many times it ran (a retried post-script); the result is the last run's. */
  attempts: z.number().int().min(1).optional(),
  timing: StepTiming,
  error: AgentError.optional(),
});
export type ScriptResult = z.infer<typeof ScriptResult>;

export const VssWriterState = z.object({
  name: z.string(),
  id: z.string(),
  /** VSS_WS_* without the prefix, e.g. `STABLE`, `FAILED_AT_FREEZE`. */
  state: z.string(),
  /** The writer's failure HRESULT name, e.g. `VSS_E_WRITERERROR_TIMEOUT`. */
  failure: z.string().optional(),
});
export type VssWriterState = z.infer<typeof VssWriterState>;

export const VssResult = z.object({
  backupType: VssBackupType,
  writers: z.array(VssWriterState),
  snapshotSetId: z.string().optional(),
  timing: StepTiming,
  error: AgentError.optional(),
});
export type VssResult = z.infer<typeof VssResult>;

export const FsFreezeResult = z.object({
  mounts: z.array(z.string()),
  timing: StepTiming,
  error: AgentError.optional(),
});
export type FsFreezeResult = z.infer<typeof FsFreezeResult>;

export const Capability = z.object({ usable: z.boolean(), reason: z.string().optional() });

export const PongBody = z.object({
  agentVersion: z.string(),
  protocolVersion: z.number().int(),
  os: z.object({ family: z.enum(['linux', 'windows']), platform: z.string(), release: z.string(), arch: z.string() }),
  quiescers: z.object({ scripts: Capability, fsfreeze: Capability, vss: Capability }),
  scripts: z.array(z.object({ name: z.string(), exists: z.boolean(), problem: z.string().optional() })),
  busyWithRunId: z.string().nullable(),
});
export type PongBody = z.infer<typeof PongBody>;

export const FrozenBody = z.object({
  frozenAt: z.iso.datetime(),
  /** When the agent's watchdog thaws on its own if no thaw command comes. */
  watchdogDeadline: z.iso.datetime(),
  preScript: ScriptResult.optional(),
  vss: VssResult.optional(),
  fsfreeze: FsFreezeResult.optional(),
  /** Monotonic time from receiving the freeze command to the guest being frozen. */
  freezeDurationMs: z.number().nonnegative(),
  repeated: z.boolean().default(false),
});
export type FrozenBody = z.infer<typeof FrozenBody>;

export const FreezeFailedBody = z.object({
  error: AgentError,
  preScript: ScriptResult.optional(),
  /** Run at once when the pre-script ran, whatever failed after it. */
  postScript: ScriptResult.optional(),
  vss: VssResult.optional(),
  fsfreeze: FsFreezeResult.optional(),
  freezeDurationMs: z.number().nonnegative(),
});
export type FreezeFailedBody = z.infer<typeof FreezeFailedBody>;

/**
 * Why the guest was thawed. Only `command` proves the thaw came after the service's snapshot operations;
 * every other reason means the snapshot may have been taken after the guest was released. `not-frozen`: the agent
 * holds no freeze for that run (it never got the freeze, the freeze failed, or the agent restarted).
 */
export const ThawReason = z.enum(['command', 'deadline', 'vss-timeout', 'holder-exited', 'shutdown', 'not-frozen']);
export type ThawReason = z.infer<typeof ThawReason>;

export const ThawedBody = z.object({
  thawReason: ThawReason,
  thawedAt: z.iso.datetime(),
  /** Monotonic time the guest was frozen. */
  frozenDurationMs: z.number().nonnegative(),
  vss: VssResult.optional(),
  fsfreeze: FsFreezeResult.optional(),
  postScript: ScriptResult.optional(),
  errors: z.array(AgentError),
  /** True when this answers a repeated thaw for a run already thawed. */
  repeated: z.boolean().default(false),
});
export type ThawedBody = z.infer<typeof ThawedBody>;

export const COMMAND_BODIES = { ping: PingBody, freeze: FreezeBody, thaw: ThawBody } as const;
export const REPLY_BODIES = {
  pong: PongBody,
  frozen: FrozenBody,
  'freeze-failed': FreezeFailedBody,
  thawed: ThawedBody,
} as const;

export type CommandType = keyof typeof COMMAND_BODIES;
export type ReplyType = keyof typeof REPLY_BODIES;
export type MessageKind = 'command' | 'reply';

/** The signed envelope; `body` is checked against its type's schema after the signature. */
export const Envelope = z.object({
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().min(8).max(64),
  type: z.string().min(1).max(32),
  vmId: z.string().min(1).max(512),
  instanceId: z.string().max(256),
  runId: z.string().max(256),
  issuedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  body: z.unknown(),
  sig: z.string().min(1).max(200),
});
export type Envelope = z.infer<typeof Envelope>;

type BodyOf<Map extends Record<string, z.ZodType>, T extends keyof Map> = z.output<Map[T]>;

interface EnvelopeFields {
  v: number;
  id: string;
  vmId: string;
  instanceId: string;
  runId: string;
  issuedAt: string;
  expiresAt: string;
}

export type Command = {
  [T in CommandType]: EnvelopeFields & { type: T; body: BodyOf<typeof COMMAND_BODIES, T> };
}[CommandType];
export type Reply = { [T in ReplyType]: EnvelopeFields & { type: T; body: BodyOf<typeof REPLY_BODIES, T> } }[ReplyType];
