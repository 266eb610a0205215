import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { eventually } from '../support/hostProcess.js';
import {
  FAST_AGENT_POLLING,
  type QuiesceStack,
  resultOf,
  type StackRun,
  startQuiesceStack,
} from '../support/quiesceStack.js';

const SUBSCRIPTION = '0d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e62';
const RG = 'rg-win';

interface SimSnapshot {
  id: string;
  name: string;
}

/** Windows with the simulated VSS helper, cancel during the freeze, a policy's retention, history, and 409. */
describe('Windows backups, cancel, retention and history through the whole stack', () => {
  let stack: QuiesceStack;
  const agent = { installed: true, settings: { polling: { ...FAST_AGENT_POLLING, jitter: 0 } } };
  const vm = (name: string) => ({
    name,
    resourceGroup: RG,
    os: 'windows',
    disks: { os: { sizeGB: 127 }, data: [{ sizeGB: 256, lun: 0 }] },
    agent,
  });
  const simSnapshots = async (prefix: string) =>
    ((await stack.sim.call('GET', '/_sim/snapshots')).body as { value: SimSnapshot[] }).value.filter((s) =>
      s.name.startsWith(prefix),
    );
  const start = async (request: object) => {
    const started = await stack.api('POST', 'backups', request);
    expect(started.status).toBe(202);
    return String(started.body.runId);
  };
  const phaseOf = async (runId: string, vmName: string) =>
    (
      (await stack.api('GET', `runs/${runId}/vms/${vmName}/history`)).body.customStatus as
        { phase?: string } | undefined
    )?.phase;

  beforeAll(async () => {
    stack = await startQuiesceStack({
      subscriptionId: SUBSCRIPTION,
      vms: [vm('sql-1'), vm('sql-2'), vm('app-1'), vm('busy-1')],
    });
  }, 120_000);
  afterAll(() => stack?.stop());

  it('is application-consistent through VSS (copy-only), with the writers in the evidence', async () => {
    const run = await stack.backup({ vmIds: [stack.vmId(RG, 'sql-1')] });
    const result = resultOf(run, 'sql-1');
    expect(result.consistency).toBe('application-consistent');
    expect(result.reason).toBe(
      'Application-consistent: VSS writers prepared their data; all 2 disk snapshot(s) were taken while the guest was quiesced.',
    );
    const frozen = result.evidence.agent.frozen as { vss: { backupType: string; writers: { state: string }[] } };
    expect(frozen.vss.backupType).toBe('copy');
    expect(frozen.vss.writers.length).toBeGreaterThan(0);
    expect(result.evidence.agent.thawed?.thawReason).toBe('command');
  });

  it('serves the orchestration history of a VM in a run, every step with its input and output', async () => {
    const run = await stack.backup({ vmIds: [stack.vmId(RG, 'app-1')] });
    const history = await stack.api('GET', `runs/${run.runId}/vms/app-1/history`);
    expect(history.status).toBe(200);
    const events = history.body.history as {
      EventType: string;
      Name?: string;
      FunctionName?: string;
      Input?: string;
      Result?: { thaw?: { sent: boolean } };
    }[];
    // The thaw went out from the snapshot activity the moment the last operation settled, not in a later activity.
    const snapshotTask = events.find(
      (e) => e.EventType === 'TaskCompleted' && e.FunctionName === 'createDiskSnapshots',
    );
    expect(snapshotTask?.Result?.thaw?.sent).toBe(true);
    const commands = events
      .filter((e) => e.EventType === 'TaskCompleted' && e.FunctionName === 'sendGuestCommand')
      .map((e) => (JSON.parse(e.Input ?? '[]') as [{ command: { type: string } }])[0].command.type);
    expect(commands).toEqual(['ping', 'freeze']);
    const scheduled = events.filter((e) => e.EventType === 'TaskCompleted').map((e) => e.FunctionName);
    expect(scheduled).toEqual(
      expect.arrayContaining(['claimVm', 'preflight', 'sendGuestCommand', 'createDiskSnapshots', 'finishVm']),
    );
    expect(events.filter((e) => e.EventType === 'EventRaised').map((e) => e.Name)).toEqual([
      'pong',
      'frozen',
      'thawed',
    ]);
    expect(history.body.customStatus).toMatchObject({ phase: 'done' });
    expect((await stack.api('GET', `runs/${run.runId}/vms/nope-1/history`)).status).toBe(404);
  });

  it('cancels during the freeze: the guest is thawed first, then the VM is recorded as canceled', async () => {
    await stack.sim.call('POST', '/_sim/faults', {
      match: { method: 'PUT', path: 'snapshots/qz-sql-2-' },
      action: { kind: 'delay', delayMs: 4000 },
    });
    const runId = await start({ vmIds: [stack.vmId(RG, 'sql-2')] });
    expect(
      await eventually(
        () => phaseOf(runId, 'sql-2'),
        (phase) => phase === 'snapshotting',
        20_000,
      ),
    ).toBe('snapshotting');
    const cancel = await stack.api('POST', `runs/${runId}/cancel`);
    expect(cancel.status).toBe(202);
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('Canceled');
    const result = resultOf(run, 'sql-2');
    expect(result.consistency).toBe('canceled');
    expect(result.reason).toMatch(
      /^Canceled by an operator during snapshotting\. The guest was thawed first \(by the thaw command\)\./,
    );
    const thawedAt = Date.parse((result.evidence.agent.thawed as unknown as { thawedAt: string }).thawedAt);
    // Thawed before the (delayed) snapshot operations came back.
    const succeeded = result.evidence.snapshots.map((s) => Date.parse(s.succeededAt ?? ''));
    expect(succeeded).toHaveLength(2);
    for (const at of succeeded) expect(thawedAt).toBeLessThan(at);
    expect(result.reason).toContain('2 snapshot(s) finished anyway and are kept as crash-consistent.');
    expect((await stack.api('POST', `runs/${runId}/cancel`)).status).toBe(409);
    expect((await stack.api('POST', 'runs/adhoc-nothing/cancel')).status).toBe(404);
  });

  it('answers 409 for a VM another run is backing up, and 400 with the zod issues for a bad request', async () => {
    await stack.sim.call('POST', '/_sim/faults', {
      match: { method: 'PUT', path: 'snapshots/qz-busy-1-' },
      action: { kind: 'delay', delayMs: 3000 },
      count: 2,
    });
    const vmId = stack.vmId(RG, 'busy-1');
    const runId = await start({ vmIds: [vmId] });
    await eventually(
      () => phaseOf(runId, 'busy-1'),
      (phase) => phase === 'snapshotting',
      20_000,
    );
    const second = await stack.api('POST', 'backups', { vmIds: [vmId] });
    expect(second.status).toBe(409);
    expect(String((second.body.error as { message: string }).message)).toContain(`by run ${runId}`);
    expect((await stack.waitForRun(runId)).status).toBe('Success');

    const bad = await stack.api('POST', 'backups', { vmIds: ['not-a-vm'], overrides: { maxParallelVms: 0 } });
    expect(bad.status).toBe(400);
    const issues = (bad.body.error as { issues: { path: (string | number)[] }[] }).issues.map((i) => i.path.join('.'));
    expect(issues).toEqual(['vmIds.0', 'overrides.maxParallelVms']);
    expect((await stack.api('POST', 'backups', { policy: 'no-such-policy' })).status).toBe(404);
  });

  it("applies a policy's retention after each run (the newest N stay, foreign snapshots are never touched) and previews a stricter one as a dry run", async () => {
    const foreign = await stack.sim.compute().snapshots.beginCreateOrUpdateAndWait(RG, 'manual-before-patching', {
      location: 'eastus',
      creationData: {
        createOption: 'Copy',
        sourceResourceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/disks/app-1-osdisk`,
      },
    });
    const policy = await stack.api('PUT', 'policies/app-daily', {
      schedule: { cron: '0 3 * * *' },
      targets: { vmIds: [stack.vmId(RG, 'app-1')] },
      retention: { keepLast: 2, minimumKept: 1 },
    });
    expect(policy.status).toBe(201);
    const runs: StackRun[] = [];
    for (let i = 0; i < 3; i++) runs.push(await stack.backup({ policy: 'app-daily' }));
    expect(runs.map((r) => r.status)).toEqual(['Success', 'Success', 'Success']);
    const kept = (await simSnapshots('qz-app-1-')).map((s) => s.id);
    const takenBy = (index: number) => (runs[index]?.results[0]?.snapshots ?? []).map((s) => s.snapshotId);
    // The first policy run's snapshots went; the newest two runs' stay, and so do the on-demand run's (no policy).
    for (const id of takenBy(0)) expect(kept).not.toContain(id);
    for (const id of [...takenBy(1), ...takenBy(2)]) expect(kept).toContain(id);
    expect(kept).toHaveLength(2 * 2 + 2);
    // Retention ran inside the VM's last activity: its outcome is in each result's evidence.
    expect(runs.map((r) => r.results[0]?.evidence.retention)).toEqual([
      { deleted: 0, failed: 0 },
      { deleted: 0, failed: 0 },
      { deleted: 2, failed: 0 },
    ]);
    expect((await simSnapshots('manual-before-patching')).map((s) => s.id)).toEqual([foreign.id]);

    // A dry run of a stricter retention names what it would delete (the older policy run's), and deletes nothing.
    const stricter = await stack.api('PUT', 'policies/app-daily', {
      schedule: { cron: '0 3 * * *' },
      targets: { vmIds: [stack.vmId(RG, 'app-1')] },
      retention: { keepLast: 1, minimumKept: 1 },
    });
    expect(stricter.status).toBe(200);
    const vmId = encodeURIComponent(stack.vmId(RG, 'app-1'));
    const preview = await stack.api('GET', `policies/app-daily/retention?vmId=${vmId}`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ policy: 'app-daily', dryRun: true, retention: { keepLast: 1 } });
    const wouldDelete = (preview.body.deleted as { id: string; because: string }[]).map((d) => d.id);
    expect(wouldDelete.sort()).toEqual([...takenBy(1)].sort());
    expect((preview.body.kept as { id: string }[]).map((d) => d.id).sort()).toEqual([...takenBy(2)].sort());
    expect(preview.body.ignored).toBeGreaterThanOrEqual(3); // the on-demand run's two and the foreign one, at least
    expect((await simSnapshots('qz-app-1-')).map((s) => s.id)).toEqual(kept);
    const bad = await stack.api('GET', 'policies/app-daily/retention?vmId=not-a-vm');
    expect(bad.status).toBe(400);
    expect((bad.body.error as { issues: { path: string[] }[] }).issues.map((i) => i.path.join('.'))).toEqual(['vmId']);
    expect((await stack.api('GET', `policies/no-such-policy/retention?vmId=${vmId}`)).status).toBe(404);
  });
});
