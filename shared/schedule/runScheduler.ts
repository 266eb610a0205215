import type { StoredPolicy } from '../policy/PolicyStore.js';
import type { RunRecord } from '../results/RunStore.js';
import { scheduledRunInput } from '../runs/buildRunInput.js';
import type { BackupRunInput } from '../runs/runInputs.js';
import { dueSlots, policyRunId } from './dueSlots.js';
import type { SlotLedger, SlotRecord } from './SlotLedger.js';

export interface SchedulerDeps {
  policies: () => Promise<StoredPolicy[]>;
  ledger: Pick<SlotLedger, 'claim' | 'list'>;
  /** The orchestration's runtime status, or undefined when there is no such instance. */
  runtimeStatus: (instanceId: string) => Promise<string | undefined>;
  startRun: (input: BackupRunInput) => Promise<void>;
  recordSkippedRun: (run: RunRecord) => Promise<void>;
  log: (message: string, fields: Record<string, unknown>) => void;
}

export type SlotDecision =
  | { policy: string; slot: string; action: 'started' | 'already-started' | 'restarted'; runId: string }
  | { policy: string; slot: string; action: 'skipped'; runId: string; reason: string }
  | { policy: string; slot: string; action: 'missed' };

/** How long a claimed slot may go without its run before the scheduler starts it itself. */
const CLAIM_START_GRACE_MS = 120_000;
const ACTIVE = new Set(['Running', 'Pending', 'ContinuedAsNew']);

/**
 * One scheduler tick. Each due slot of each enabled policy runs exactly once: the run id derives from policy and slot,
 * and the slot is claimed in the ledger before the run starts, so a timer that fires twice (or two hosts) start it
 * once. After downtime the newest missed slot within the grace window is caught up; older ones are recorded as
 * missed. A slot whose previous run is still going is skipped and recorded as skipped. A slot claimed but whose run
 * never started (a crash in between) is started on the next tick.
 */
export async function runScheduler(deps: SchedulerDeps, now: Date, graceMs: number): Promise<SlotDecision[]> {
  const decisions: SlotDecision[] = [];
  for (const stored of await deps.policies()) {
    const policy = stored.policy;
    if (!policy.enabled) continue;
    const records = await deps.ledger.list(policy.name);
    const last = records.at(-1);
    // Looking back from just before the last recorded slot lets that slot be re-checked (started if it never was).
    const since = last ? new Date(Date.parse(last.slot) - 1) : new Date(stored.updatedAt);
    const plan = dueSlots(policy.schedule, since, now, graceMs);
    for (const slot of plan.missed) {
      const claimed = await deps.ledger.claim({
        policy: policy.name,
        slot: slot.toISOString(),
        outcome: 'missed',
        reason: `missed while the scheduler was not running; only the newest slot within ${Math.round(graceMs / 60_000)} min is caught up`,
      });
      if (claimed) decisions.push({ policy: policy.name, slot: slot.toISOString(), action: 'missed' });
    }
    for (const slot of plan.run) decisions.push(await runSlot(deps, stored, slot, records, now));
  }
  return decisions;
}

async function runSlot(
  deps: SchedulerDeps,
  stored: StoredPolicy,
  slot: Date,
  records: SlotRecord[],
  now: Date,
): Promise<SlotDecision> {
  const policy = stored.policy;
  const runId = policyRunId(policy.name, slot);
  const slotText = slot.toISOString();
  const existing = records.find((r) => r.slot === slotText);
  if (existing) return settleClaimed(deps, stored, slot, existing, now);

  const previous = [...records].reverse().find((r) => r.outcome === 'started' && r.runId);
  const previousStatus = previous?.runId ? await deps.runtimeStatus(previous.runId) : undefined;
  if (previous?.runId && previousStatus && ACTIVE.has(previousStatus)) {
    const reason = `the previous run ${previous.runId} was still ${previousStatus.toLowerCase()}`;
    const claimed = await deps.ledger.claim({
      policy: policy.name,
      slot: slotText,
      outcome: 'skipped-previous-running',
      runId,
      reason,
    });
    if (claimed) {
      await deps.recordSkippedRun({
        runId,
        kind: 'scheduled',
        policy: policy.name,
        slot: slotText,
        status: 'Skipped',
        startedAt: now.toISOString(),
        endedAt: now.toISOString(),
        vms: 0,
        reason: `Skipped: ${reason}.`,
      });
      deps.log('Slot skipped', { policy: policy.name, slot: slotText, reason });
    }
    return { policy: policy.name, slot: slotText, action: 'skipped', runId, reason };
  }

  const claimed = await deps.ledger.claim({ policy: policy.name, slot: slotText, outcome: 'started', runId });
  if (!claimed) {
    const winner = (await deps.ledger.list(policy.name)).find((r) => r.slot === slotText);
    if (winner) return settleClaimed(deps, stored, slot, winner, now);
  }
  await deps.startRun(scheduledRunInput(policy, runId, slot, now));
  deps.log('Scheduled run started', { policy: policy.name, slot: slotText, runId });
  return { policy: policy.name, slot: slotText, action: 'started', runId };
}

/** The slot is already in the ledger: nothing to do, unless it was claimed to start and its run does not exist. */
async function settleClaimed(
  deps: SchedulerDeps,
  stored: StoredPolicy,
  slot: Date,
  record: SlotRecord,
  now: Date,
): Promise<SlotDecision> {
  const policyName = stored.policy.name;
  const slotText = slot.toISOString();
  const runId = policyRunId(policyName, slot);
  if (record.outcome === 'skipped-previous-running')
    return { policy: policyName, slot: slotText, action: 'skipped', runId, reason: record.reason ?? '' };
  if (record.outcome !== 'started') return { policy: policyName, slot: slotText, action: 'missed' };
  // A fresh claim is another firing starting this very run right now: only an old claim with no run is repaired.
  const fresh = now.getTime() - Date.parse(record.recordedAt) < CLAIM_START_GRACE_MS;
  if (fresh || (await deps.runtimeStatus(runId)) !== undefined)
    return { policy: policyName, slot: slotText, action: 'already-started', runId };
  await deps.startRun(scheduledRunInput(stored.policy, runId, slot, now));
  deps.log('Claimed slot had no run; started it', { policy: policyName, slot: slotText, runId });
  return { policy: policyName, slot: slotText, action: 'restarted', runId };
}
