import { z } from 'zod';

import { VmResourceId } from '../arm/resourceId.js';
import type { BackupPolicy } from '../policy/BackupPolicy.js';
import { FailureAction, GuestProcessing, PolicyName } from '../policy/BackupPolicy.js';
import { type BackupRunInput, RunPlan } from './runInputs.js';

const DEFAULT_ON_DEMAND_PARALLELISM = 20;

/**
 * `POST /api/backups`: VMs, a policy, or both (the policy's settings for just those VMs). Overrides are merged into the
 * policy's settings (or the defaults) field by field, then checked like a policy.
 */
export const BackupRequest = z
  .strictObject({
    vmIds: z.array(VmResourceId).min(1).max(1000).optional(),
    policy: PolicyName.optional(),
    overrides: z
      .strictObject({
        guestProcessing: z.record(z.string(), z.unknown()).optional(),
        failureActions: z.strictObject({ preflight: FailureAction, quiesce: FailureAction }).partial().optional(),
        snapshot: z.record(z.string(), z.unknown()).optional(),
        maxParallelVms: z.number().int().min(1).max(1000).optional(),
      })
      .default({}),
  })
  .refine((r) => r.vmIds !== undefined || r.policy !== undefined, 'name vmIds, a policy, or both');
export type BackupRequest = z.infer<typeof BackupRequest>;

export function onDemandRunInput(
  request: BackupRequest,
  policy: BackupPolicy | undefined,
  runId: string,
  now: Date,
): { ok: true; input: BackupRunInput } | { ok: false; error: z.ZodError } {
  const base: Record<string, unknown> = policy ? planFieldsOf(policy) : { guestProcessing: GuestProcessing.parse({}) };
  const { maxParallelVms, ...sections } = request.overrides;
  // Overrides never name the policy or its retention (the request schema has no such keys), so both stay the policy's.
  const plan = RunPlan.safeParse(deepMerge(base, sections));
  if (!plan.success) return { ok: false, error: plan.error };
  return {
    ok: true,
    input: {
      runId,
      kind: 'on-demand',
      ...(policy ? { policy } : {}),
      ...(request.vmIds ? { vmIds: request.vmIds } : {}),
      plan: plan.data,
      maxParallelVms: maxParallelVms ?? policy?.maxParallelVms ?? DEFAULT_ON_DEMAND_PARALLELISM,
      requestedAt: now.toISOString(),
    },
  };
}

/** A scheduled run of a policy's slot. */
export function scheduledRunInput(policy: BackupPolicy, runId: string, slot: Date, now: Date): BackupRunInput {
  return {
    runId,
    kind: 'scheduled',
    slot: slot.toISOString(),
    policy,
    plan: RunPlan.parse(planFieldsOf(policy)),
    maxParallelVms: policy.maxParallelVms,
    requestedAt: now.toISOString(),
  };
}

/** What a run takes from its policy: how to back up each VM, and whose retention owns the snapshots. */
function planFieldsOf(policy: BackupPolicy): Record<string, unknown> {
  return {
    guestProcessing: policy.guestProcessing,
    failureActions: policy.failureActions,
    snapshot: policy.snapshot,
    policy: policy.name,
    retention: policy.retention,
  };
}

/** Objects merge key by key; anything else (arrays included) is replaced by the override. */
function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
