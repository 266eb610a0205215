import { describe, expect, it } from 'vitest';

import { BackupPolicy } from '../../../../shared/policy/BackupPolicy.js';
import type { StoredPolicy } from '../../../../shared/policy/PolicyStore.js';
import type { RunRecord } from '../../../../shared/results/RunStore.js';
import type { BackupRunInput } from '../../../../shared/runs/runInputs.js';
import { runScheduler, type SchedulerDeps } from '../../../../shared/schedule/runScheduler.js';
import type { SlotRecord } from '../../../../shared/schedule/SlotLedger.js';

const GRACE = 60 * 60_000;
const nightly = BackupPolicy.parse({
  name: 'nightly',
  schedule: { cron: '0 2 * * *', timeZone: 'UTC' },
  targets: { tags: { backup: 'nightly' } },
  retention: { keepLast: 7 },
});

/** A ledger that behaves like the Table one: insert-only, so of two claims of one slot only the first wins. */
class FakeWorld implements SchedulerDeps {
  readonly rows: SlotRecord[] = [];
  readonly started: BackupRunInput[] = [];
  readonly skippedRuns: RunRecord[] = [];
  readonly instances = new Map<string, string>();
  policyList: StoredPolicy[] = [{ policy: nightly, etag: '1', updatedAt: '2026-03-01T00:00:00.000Z' }];
  now = new Date();

  policies = () => Promise.resolve(this.policyList);
  ledger = {
    claim: async (record: Omit<SlotRecord, 'recordedAt'>) => {
      await Promise.resolve();
      if (this.rows.some((r) => r.policy === record.policy && r.slot === record.slot)) return false;
      this.rows.push({ ...record, recordedAt: this.now.toISOString() });
      return true;
    },
    list: (policy: string) =>
      Promise.resolve(this.rows.filter((r) => r.policy === policy).sort((a, b) => a.slot.localeCompare(b.slot))),
  };
  runtimeStatus = (id: string) => Promise.resolve(this.instances.get(id));
  startRun = async (input: BackupRunInput) => {
    await Promise.resolve();
    this.started.push(input);
    this.instances.set(input.runId, 'Running');
  };
  recordSkippedRun = (run: RunRecord) => {
    this.skippedRuns.push(run);
    return Promise.resolve();
  };
  log = () => undefined;

  tick(iso: string) {
    this.now = new Date(iso);
    return runScheduler(this, this.now, GRACE);
  }
}

describe('runScheduler', () => {
  it('starts a due slot once, with the deterministic run id, the policy and its plan', async () => {
    const world = new FakeWorld();
    const decisions = await world.tick('2026-03-01T02:00:05Z');
    expect(decisions).toEqual([
      {
        policy: 'nightly',
        slot: '2026-03-01T02:00:00.000Z',
        action: 'started',
        runId: 'policy-nightly-20260301T020000Z',
      },
    ]);
    expect(world.started[0]).toMatchObject({
      runId: 'policy-nightly-20260301T020000Z',
      kind: 'scheduled',
      slot: '2026-03-01T02:00:00.000Z',
      plan: { policy: 'nightly', retention: { keepLast: 7, minimumKept: 2 } },
      maxParallelVms: 20,
    });
    expect((await world.tick('2026-03-01T02:01:00Z')).map((d) => d.action)).toEqual(['already-started']);
    expect(world.started).toHaveLength(1);
  });

  it('starts nothing twice when the timer fires twice at once', async () => {
    const world = new FakeWorld();
    world.now = new Date('2026-03-01T02:00:01Z');
    const [first, second] = await Promise.all([
      runScheduler(world, world.now, GRACE),
      runScheduler(world, world.now, GRACE),
    ]);
    expect([...(first ?? []), ...(second ?? [])].map((d) => d.action).sort()).toEqual(['already-started', 'started']);
    expect(world.started).toHaveLength(1);
  });

  it('skips, and records as skipped, a slot whose previous run is still going', async () => {
    const world = new FakeWorld();
    await world.tick('2026-03-01T02:00:01Z');
    const decisions = await world.tick('2026-03-02T02:00:01Z');
    expect(decisions).toEqual([
      {
        policy: 'nightly',
        slot: '2026-03-02T02:00:00.000Z',
        action: 'skipped',
        runId: 'policy-nightly-20260302T020000Z',
        reason: 'the previous run policy-nightly-20260301T020000Z was still running',
      },
    ]);
    expect(world.started).toHaveLength(1);
    expect(world.skippedRuns[0]).toMatchObject({ status: 'Skipped', runId: 'policy-nightly-20260302T020000Z' });
    expect(world.rows.at(-1)).toMatchObject({ outcome: 'skipped-previous-running' });

    world.instances.set('policy-nightly-20260301T020000Z', 'Completed');
    expect((await world.tick('2026-03-03T02:00:01Z')).map((d) => d.action)).toEqual(['started']);
  });

  it('after downtime catches up the newest slot within the grace window and records the older ones as missed', async () => {
    const world = new FakeWorld();
    await world.tick('2026-03-01T02:00:01Z');
    world.instances.set('policy-nightly-20260301T020000Z', 'Completed');
    const decisions = await world.tick('2026-03-04T02:40:00Z');
    expect(decisions.map((d) => [d.slot, d.action])).toEqual([
      ['2026-03-02T02:00:00.000Z', 'missed'],
      ['2026-03-03T02:00:00.000Z', 'missed'],
      ['2026-03-04T02:00:00.000Z', 'started'],
    ]);
  });

  it('runs no slot older than the grace window', async () => {
    const world = new FakeWorld();
    await world.tick('2026-03-01T02:00:01Z');
    world.instances.set('policy-nightly-20260301T020000Z', 'Completed');
    expect((await world.tick('2026-03-02T04:00:00Z')).map((d) => d.action)).toEqual(['missed']);
    expect(world.started).toHaveLength(1);
  });

  it('starts the run of a slot claimed long ago whose run never started (a crash between claim and start)', async () => {
    const world = new FakeWorld();
    world.rows.push({
      policy: 'nightly',
      slot: '2026-03-01T02:00:00.000Z',
      outcome: 'started',
      runId: 'policy-nightly-20260301T020000Z',
      recordedAt: '2026-03-01T02:00:01.000Z',
    });
    expect((await world.tick('2026-03-01T02:05:00Z')).map((d) => d.action)).toEqual(['restarted']);
    expect(world.started.map((s) => s.runId)).toEqual(['policy-nightly-20260301T020000Z']);
  });

  it('ignores disabled policies and does not run a slot that passed before the policy existed', async () => {
    const world = new FakeWorld();
    world.policyList = [
      { policy: { ...nightly, enabled: false }, etag: '1', updatedAt: '2026-03-01T00:00:00.000Z' },
      { policy: { ...nightly, name: 'fresh' }, etag: '1', updatedAt: '2026-03-01T02:10:00.000Z' },
    ];
    expect(await world.tick('2026-03-01T02:20:00Z')).toEqual([]);
  });
});
