import { Cron } from 'croner';
import { z } from 'zod';

/** What to do when a phase fails: fail the VM, go on without quiescing (crash-consistent), or skip the VM. */
export const FailureAction = z.enum(['fail', 'continue', 'skip']);
export type FailureAction = z.infer<typeof FailureAction>;

/** A script named relative to the agent's scripts directory: never an absolute path, never `..`. */
const ScriptPath = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && !p.startsWith('\\'),
    'must be relative to the scripts directory',
  )
  .refine((p) => !p.split(/[\\/]/).includes('..'), 'must not contain ".."');

export const ScriptSpec = z.strictObject({
  path: ScriptPath,
  args: z.array(z.string().max(1024)).max(32).default([]),
  /** Killed with its whole process tree after this long. */
  timeoutSeconds: z.number().int().min(1).max(1800).default(300),
  /** Pre-script: fail the VM, continue crash-consistent, or skip the VM. Post-script: recorded as a warning unless `fail`. */
  onFailure: FailureAction.default('fail'),
  /** A failed pre-script retries the whole quiesce; a failed post-script retries only itself (AWS DLM semantics). */
  retries: z.number().int().min(0).max(3).default(0),
  ignoreMissing: z.boolean().default(false),
});
export type ScriptSpec = z.infer<typeof ScriptSpec>;

const Scripts = { preScript: ScriptSpec.optional(), postScript: ScriptSpec.optional() };

const Seconds = (min: number, max: number, fallback: number) => z.number().int().min(min).max(max).default(fallback);

export const GuestProcessing = z.strictObject({
  /** Off: crash-consistent snapshots, no agent involved. */
  enabled: z.boolean().default(true),
  applicationAware: z
    .strictObject({
      /** Windows: VSS writers (SQL Server, Exchange…) prepare their data. */
      vss: z.boolean().default(true),
      /** copyOnly leaves other backup products' log chains alone; full truncates logs (SQL Server). */
      vssBackupType: z.enum(['copyOnly', 'full']).default('copyOnly'),
    })
    .default({ vss: true, vssBackupType: 'copyOnly' }),
  linux: z
    .strictObject({
      ...Scripts,
      fsfreeze: z
        .strictObject({
          enabled: z.boolean().default(true),
          /** Empty: every local writable filesystem, root last. */
          mounts: z.array(z.string().startsWith('/')).default([]),
        })
        .default({ enabled: true, mounts: [] }),
    })
    .default({ fsfreeze: { enabled: true, mounts: [] } }),
  windows: z.strictObject(Scripts).default({}),
  /** How long to wait for each agent reply (pong, frozen, thawed). */
  ackTimeoutSeconds: Seconds(1, 300, 30),
  /** The agent's watchdog thaws on its own after this; Azure's own Linux limit is 60 s, VSS holds writes 10 s. */
  maxFrozenSeconds: Seconds(1, 60, 30),
  /** Ping the agent and check outbound 443 to Storage before freezing. */
  preflightRequired: z.boolean().default(true),
});
export type GuestProcessing = z.infer<typeof GuestProcessing>;

const ResourceId = z
  .string()
  .regex(/^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?(\/providers\/.+)?$/i, 'must be an Azure resource id');
const Tags = z.record(z.string().min(1).max(512), z.string().max(256));

export const Targets = z
  .strictObject({
    vmIds: z.array(ResourceId).default([]),
    /** Resource group ids: /subscriptions/<id>/resourceGroups/<name>. */
    resourceGroups: z.array(ResourceId).default([]),
    subscriptions: z.array(z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be a subscription id (GUID)')).default([]),
    /** VMs carrying every one of these tags (within the subscriptions and resource groups above, or everywhere). */
    tags: Tags.default({}),
    exclude: z
      .strictObject({ vmIds: z.array(ResourceId).default([]), tags: Tags.default({}) })
      .default({ vmIds: [], tags: {} }),
  })
  .refine(
    (t) => t.vmIds.length + t.resourceGroups.length + t.subscriptions.length + Object.keys(t.tags).length > 0,
    'name at least one target: vmIds, resourceGroups, subscriptions or tags',
  );
export type Targets = z.infer<typeof Targets>;

export const Schedule = z
  .strictObject({
    /** Standard 5-field cron (minute hour day month weekday), several times a day if you like: "0 2,14 * * *". */
    cron: z.string(),
    timeZone: z.string().default('UTC'),
  })
  .superRefine((schedule, ctx) => {
    if (schedule.cron.trim().split(/\s+/).length !== 5) {
      ctx.addIssue({
        code: 'custom',
        path: ['cron'],
        message: 'use 5 fields: minute hour day-of-month month day-of-week',
      });
      return;
    }
    try {
      new Cron(schedule.cron, { mode: '5-part', timezone: schedule.timeZone, paused: true }).nextRun();
    } catch (error: unknown) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: error instanceof Error ? error.message : String(error) });
    }
    if (!isTimeZone(schedule.timeZone))
      ctx.addIssue({ code: 'custom', path: ['timeZone'], message: `unknown time zone "${schedule.timeZone}"` });
  });
export type Schedule = z.infer<typeof Schedule>;

export const Retention = z
  .strictObject({
    keepLast: z.number().int().min(1).max(1000).optional(),
    keepDays: z.number().int().min(1).max(3650).optional(),
    /** Never deleted, whatever the rules above say: the newest N snapshots of each disk. */
    minimumKept: z.number().int().min(1).max(1000).default(2),
  })
  .refine((r) => r.keepLast !== undefined || r.keepDays !== undefined, 'set keepLast, keepDays or both');
export type Retention = z.infer<typeof Retention>;

export const PolicyName = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/, '3-63 lowercase letters, digits and hyphens');

/** A backup policy, as stored and as accepted by `PUT /api/policies/{name}`. Defaults are documented in the README. */
export const BackupPolicy = z.strictObject({
  name: PolicyName,
  description: z.string().max(1024).default(''),
  enabled: z.boolean().default(true),
  schedule: Schedule,
  targets: Targets,
  guestProcessing: GuestProcessing.default(GuestProcessing.parse({})),
  /** Preflight and quiesce failures (VSS, fsfreeze, the agent not answering); scripts carry their own onFailure. */
  failureActions: z
    .strictObject({ preflight: FailureAction.default('continue'), quiesce: FailureAction.default('continue') })
    .default({ preflight: 'continue', quiesce: 'continue' }),
  snapshot: z
    .strictObject({
      incremental: z.boolean().default(true),
      /** Added to every snapshot; Quiesce's own tags (quiesce-*) are reserved. */
      tags: Tags.refine((t) => Object.keys(t).length <= 15, 'at most 15 extra tags (Azure allows 50 per resource)')
        .refine(
          (t) => !Object.keys(t).some((k) => k.toLowerCase().startsWith('quiesce-')),
          'tags starting with "quiesce-" are reserved',
        )
        .default({}),
    })
    .default({ incremental: true, tags: {} }),
  retention: Retention,
  maxParallelVms: z.number().int().min(1).max(1000).default(20),
  /** A VM in several enabled policies is backed up by the one with the lowest priority number only; ties: by name. */
  priority: z.number().int().min(1).max(1000).default(100),
});
export type BackupPolicy = z.infer<typeof BackupPolicy>;
export type BackupPolicyInput = z.input<typeof BackupPolicy>;

function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
