import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { NOT_STARTED_REASON } from '../../shared/results/verdict.js';
import {
  FAST_AGENT_POLLING,
  type QuiesceStack,
  type StackVmResult,
  startQuiesceStack,
} from '../support/quiesceStack.js';

const SUBSCRIPTION = '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a98';
const RG = 'rg-window';
const FAST = ['fast-1', 'fast-2', 'fast-3', 'fast-4'];
const SLOW = ['a-slow', 'b-slow', 'c-slow'];
/** Every VM runs `pre.sh`: 6 s on the slow VMs (their agents' scripts directory), instant on the fast ones. */
const PRE_SCRIPT = { linux: { preScript: { path: 'pre.sh' }, fsfreeze: { enabled: false } } };

/** The most VMs whose backups (start → end, as recorded) overlapped at any instant. */
function peakInFlight(results: StackVmResult[]): number {
  const edges = results.flatMap((r) => [
    { at: Date.parse(r.startedAt), delta: 1 },
    { at: Date.parse(r.endedAt), delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let inFlight = 0;
  let peak = 0;
  for (const edge of edges) peak = Math.max(peak, (inFlight += edge.delta));
  return peak;
}

/** maxParallelVms is a sliding window: a VM starts as soon as another ends, never more than the limit at once. */
describe('A run backs up its VMs in a sliding window of maxParallelVms', () => {
  let stack: QuiesceStack;
  const vmIds = (names: string[]) => names.map((name) => stack.vmId(RG, name));

  beforeAll(async () => {
    const scriptsDir = async (body: string) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'quiesce-e2e-window-'));
      await writeFile(path.join(dir, 'pre.sh'), `#!/bin/sh\n${body}\n`);
      await chmod(path.join(dir, 'pre.sh'), 0o755);
      return dir;
    };
    const slow = await scriptsDir('sleep 6');
    const fast = await scriptsDir('true');
    const polling = { ...FAST_AGENT_POLLING, jitter: 0 };
    const vm = (name: string, scripts: string) => ({
      name,
      resourceGroup: RG,
      os: 'linux',
      disks: { os: { sizeGB: 30 } },
      agent: { installed: true, scriptsDir: scripts, settings: { polling } },
    });
    stack = await startQuiesceStack({
      subscriptionId: SUBSCRIPTION,
      vms: [...SLOW.map((name) => vm(name, slow)), ...FAST.map((name) => vm(name, fast))],
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('starts the next VM the moment one ends: four fast VMs pass a slow one in a window of two', async () => {
    const run = await stack.backup({
      vmIds: vmIds(['a-slow', ...FAST]),
      overrides: { guestProcessing: PRE_SCRIPT, maxParallelVms: 2 },
    });
    expect(run.status).toBe('Success');
    expect(run.results.map((r) => r.vmName).sort()).toEqual(['a-slow', ...FAST]);
    expect(run.results.every((r) => r.consistency === 'application-consistent')).toBe(true);
    expect(peakInFlight(run.results)).toBe(2);
    // In waves of two, no VM would start before a-slow ended but the one beside it in the first wave; in a window,
    // the lane beside a-slow goes on from VM to VM while a-slow is still in its pre-script.
    const slow = run.results.find((r) => r.vmName === 'a-slow');
    const fast = run.results.filter((r) => r !== slow);
    const firstFastEnd = Math.min(...fast.map((r) => Date.parse(r.endedAt)));
    const startedWhileSlowRan = fast.filter(
      (r) => Date.parse(r.startedAt) >= firstFastEnd && Date.parse(r.startedAt) < Date.parse(slow?.endedAt ?? ''),
    );
    expect(startedWhileSlowRan.length).toBeGreaterThanOrEqual(2);
    // Each VM took its lane's next VM as it finished (finishVm's hand-off): no lane had to ask for it again.
    const handOffs = [];
    for (const result of run.results) {
      const history = await stack.api('GET', `runs/${run.runId}/vms/${result.vmName}/history`);
      const events = history.body.history as { EventType: string; FunctionName?: string; Result?: unknown }[];
      const finished = events.find((e) => e.EventType === 'TaskCompleted' && e.FunctionName === 'finishVm');
      handOffs.push((finished?.Result as { handOff?: { next?: { name: string } } }).handOff);
    }
    expect(handOffs.every((handOff) => handOff !== undefined)).toBe(true);
    const handedOn = handOffs.flatMap((handOff) => (handOff?.next ? [handOff.next.name] : []));
    expect(handedOn.sort()).toEqual(FAST.slice(1).sort());
  });

  it('on a cancel, starts no more VMs: the one in flight thaws first, the rest are recorded as never started', async () => {
    const started = await stack.api('POST', 'backups', {
      vmIds: vmIds(SLOW),
      overrides: { guestProcessing: PRE_SCRIPT, maxParallelVms: 1 },
    });
    expect(started.status).toBe(202);
    const runId = String(started.body.runId);
    await sleep(1500);
    expect((await stack.api('POST', `runs/${runId}/cancel`)).status).toBe(202);
    const run = await stack.waitForRun(runId);
    expect(run.status).toBe('Canceled');
    const reasons = run.results.map((r) => r.reason);
    expect(reasons.filter((r) => r === NOT_STARTED_REASON)).toHaveLength(2);
    expect(reasons.filter((r) => r.startsWith('Canceled by an operator during'))).toHaveLength(1);
    expect(run.results.every((r) => r.consistency === 'canceled')).toBe(true);
    const snapshots = (await stack.sim.call('GET', '/_sim/snapshots')).body as { value: { name: string }[] };
    const notStarted = run.results.filter((r) => r.reason === NOT_STARTED_REASON).map((r) => r.vmName);
    for (const name of notStarted) expect(snapshots.value.some((s) => s.name.includes(name))).toBe(false);
  });
});
