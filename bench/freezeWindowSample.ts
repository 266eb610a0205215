import type { StackVmResult } from '../local/stack/quiesceStack.js';

/** A snapshot as the simulator ran it (`GET /_sim/snapshots`). */
export interface SimSnapshot {
  id: string;
  /** When ARM received the PUT, and when its front door had accepted it (answered 202). */
  receivedAt: string;
  acceptedAt: string;
  pointInTime?: string;
  completedAt?: string;
}

/** The moments of one agent's log that bound the hops outside the service: its frozen reply, the thaw it took. */
export interface AgentMoments {
  frozenReplySentAt?: number;
  thawAcceptedAt?: number;
}

/** The hops inside one freeze window, in order; together they add up to thawedAt − frozenAt. */
export const SEGMENTS = [
  'agentSendsFrozen',
  'replyTriggerRaisesEvent',
  'orchestratorSeesFrozen',
  'snapshotActivityFirstPut',
  'putsReachArmAndStagger',
  'slowestOperation',
  'lastSucceededSeenByActivity',
  'thawCommandEnqueued',
  'agentTakesThaw',
  'agentThaws',
] as const;
export type Segment = (typeof SEGMENTS)[number];

export interface FreezeSample {
  runId: string;
  vm: string;
  quiesce: string;
  freezeWindowMs: number;
  /** The slowest disk's snapshot operation at ARM: PUT received → Succeeded (its front door included). */
  baselineMs: number;
  overheadMs: number;
  /** The same from the 202 on (ARM's front door left out of the baseline): the measure used before 2026-12-02. */
  baselineAfterAcceptMs: number;
  overheadAfterAcceptMs: number;
  segments: Record<Segment, number>;
  /** The longest PUT round trip until ARM accepted it (the way there and the simulator's front door). */
  armAcceptMs: number;
  /** The agent's monotonic window minus the sum of the segments (wall-clock stamps, whole milliseconds). */
  unaccountedMs: number;
  /** frozenAt and thawedAt as the agent stamped them (epoch ms), to see which windows overlapped. */
  frozenAtMs: number;
  thawedAtMs: number;
}

/**
 * How many other VMs of the same run were frozen during this VM's window, on average over the window: 0 when it was
 * frozen alone, 9 when all ten VMs were frozen the whole time. Overlapping windows share the machine's cores.
 */
export function frozenAlongside(sample: FreezeSample, all: readonly FreezeSample[]): number {
  const length = sample.thawedAtMs - sample.frozenAtMs;
  if (!(length > 0)) return 0;
  let overlap = 0;
  for (const other of all) {
    if (other === sample || other.runId !== sample.runId) continue;
    overlap += Math.max(
      0,
      Math.min(sample.thawedAtMs, other.thawedAtMs) - Math.max(sample.frozenAtMs, other.frozenAtMs),
    );
  }
  return overlap / length;
}

const at = (iso: string | undefined) => (iso === undefined ? Number.NaN : Date.parse(iso));

/**
 * One VM's freeze window in one run against its floor: the slowest disk's snapshot operation as the simulator ran it,
 * from the moment ARM received the PUT to Succeeded (completedAt − receivedAt): what no implementation can go under.
 * Undefined when the VM was not frozen and thawed by command, or a snapshot is missing.
 */
export function freezeSample(
  runId: string,
  result: StackVmResult,
  simSnapshots: ReadonlyMap<string, SimSnapshot>,
  history: readonly Record<string, unknown>[],
  agent: AgentMoments,
): FreezeSample | undefined {
  const { evidence } = result;
  const thawed = evidence.agent.thawed;
  const frozen = evidence.agent.frozen as
    { frozenAt: string; vss?: unknown; fsfreeze?: { mounts: string[] }; preScript?: unknown } | undefined;
  if (!frozen || thawed?.thawReason !== 'command' || result.freezeWindowMs === undefined) return undefined;
  const ran = evidence.snapshots.map((s) => (s.snapshotId ? simSnapshots.get(s.snapshotId.toLowerCase()) : undefined));
  if (ran.length === 0 || ran.some((s) => s?.completedAt === undefined)) return undefined;
  const operations = ran as Required<SimSnapshot>[];
  const baselineMs = Math.max(...operations.map((s) => at(s.completedAt) - at(s.receivedAt)));
  const baselineAfterAcceptMs = Math.max(...operations.map((s) => at(s.completedAt) - at(s.acceptedAt)));
  const armAcceptMs = Math.max(...operations.map((s, i) => at(s.acceptedAt) - at(evidence.snapshots[i]?.acceptedAt)));

  const frozenAt = at(frozen.frozenAt);
  const replySent = agent.frozenReplySentAt ?? Number.NaN;
  const frozenRaised = at(eventRaised(history, 'frozen'));
  const seesFrozen = at(evidence.timings.frozen);
  const firstPut = Math.min(...evidence.snapshots.map((s) => at(s.acceptedAt)));
  const lastCompleted = Math.max(...operations.map((s) => at(s.completedAt)));
  const lastSucceeded = Math.max(...evidence.snapshots.map((s) => at(s.succeededAt)));
  const thawSent = at(thawSentAt(history));
  const thawAccepted = agent.thawAcceptedAt ?? Number.NaN;
  const thawedAt = at(thawed.thawedAt);
  const segments: Record<Segment, number> = {
    agentSendsFrozen: replySent - frozenAt,
    replyTriggerRaisesEvent: frozenRaised - replySent,
    orchestratorSeesFrozen: seesFrozen - frozenRaised,
    snapshotActivityFirstPut: firstPut - seesFrozen,
    putsReachArmAndStagger: lastCompleted - firstPut - baselineMs,
    slowestOperation: baselineMs,
    lastSucceededSeenByActivity: lastSucceeded - lastCompleted,
    thawCommandEnqueued: thawSent - lastSucceeded,
    agentTakesThaw: thawAccepted - thawSent,
    agentThaws: thawedAt - thawAccepted,
  };
  const quiesce = [frozen.preScript ? 'script' : '', frozen.vss ? 'vss' : '', frozen.fsfreeze ? 'fsfreeze' : '']
    .filter(Boolean)
    .join('+');
  return {
    runId,
    vm: result.vmName,
    quiesce,
    freezeWindowMs: result.freezeWindowMs,
    baselineMs,
    overheadMs: result.freezeWindowMs - baselineMs,
    baselineAfterAcceptMs,
    overheadAfterAcceptMs: result.freezeWindowMs - baselineAfterAcceptMs,
    segments,
    armAcceptMs,
    unaccountedMs: result.freezeWindowMs - (thawedAt - frozenAt),
    frozenAtMs: frozenAt,
    thawedAtMs: thawedAt,
  };
}

/** When the host took the external event (its EventRaised timestamp). */
function eventRaised(history: readonly Record<string, unknown>[], name: string): string | undefined {
  const event = history.find((e) => e.EventType === 'EventRaised' && e.Name === name);
  return event?.Timestamp as string | undefined;
}

/**
 * When the thaw went on the command queue: sent by the snapshot activity (its result's `thaw.sentAt`), or else by
 * sendGuestCommand (its own `sentAt`; its input is the list of arguments).
 */
function thawSentAt(history: readonly Record<string, unknown>[]): string | undefined {
  const snapshots = history.find((e) => e.EventType === 'TaskCompleted' && e.FunctionName === 'createDiskSnapshots');
  const withSnapshots = (snapshots?.Result as { thaw?: { sentAt?: string } } | undefined)?.thaw?.sentAt;
  if (withSnapshots) return withSnapshots;
  const completed = history.find(
    (e) =>
      e.EventType === 'TaskCompleted' &&
      e.FunctionName === 'sendGuestCommand' &&
      typeof e.Input === 'string' &&
      (JSON.parse(e.Input) as [{ command?: { type?: string } }])[0].command?.type === 'thaw',
  );
  return (completed?.Result as { sentAt?: string } | undefined)?.sentAt;
}
