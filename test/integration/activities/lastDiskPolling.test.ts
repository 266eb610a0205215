import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDiskSnapshots } from '../../../activities/createDiskSnapshots.js';
import { type ArmSimProcess, FAST_SIMULATOR, startArmSim } from '../../support/armSimProcess.js';
import { inspectTestVm, runInput } from '../../support/snapshotRuns.js';

const SUBSCRIPTION = '3e5a7c9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d';

/** One poll of an operation's status URL as the client saw it. */
interface Poll {
  url: string;
  startedAt: number;
  answeredAt: number;
}

/** The most polls of one URL that were out at the same moment. */
function mostInFlight(polls: readonly Poll[]): number {
  let most = 0;
  for (const poll of polls) {
    const out = polls.filter(
      (p) => p.url === poll.url && p.startedAt <= poll.startedAt && p.answeredAt > poll.startedAt,
    );
    most = Math.max(most, out.length);
  }
  return most;
}

/**
 * createDiskSnapshots against a simulator whose reads take 150 ms, three times the 50 ms poll interval: the last
 * running disk is polled on a schedule of its own, without waiting for each answer, two polls at most out at once.
 */
describe('createDiskSnapshots polling the last running disk', () => {
  let sim: ArmSimProcess;
  const polls: Poll[] = [];
  const recordPolls: PipelinePolicy = {
    name: 'recordOperationPolls',
    async sendRequest(request, next) {
      const startedAt = performance.now();
      const response = await next(request);
      if (request.method === 'GET' && request.url.includes('/DiskOperations/'))
        polls.push({ url: request.url, startedAt, answeredAt: performance.now() });
      return response;
    },
  };

  beforeAll(async () => {
    sim = await startArmSim({
      subscriptionId: SUBSCRIPTION,
      simulator: {
        ...FAST_SIMULATOR,
        latency: {
          ...FAST_SIMULATOR.latency,
          readMs: [150, 150],
          snapshotStartDelayMs: [400, 400],
          snapshotOperationMs: [600, 600],
        },
      },
      vms: [
        { name: 'one-disk', resourceGroup: 'rg-poll', os: 'linux', disks: { os: {} } },
        { name: 'three-disks', resourceGroup: 'rg-poll', os: 'linux', disks: { os: {}, data: [{}, {}] } },
      ],
    });
  }, 60_000);
  afterAll(() => sim?.stop());

  const snapshot = async (name: string) => {
    const compute = sim.compute();
    compute.pipeline.addPolicy(recordPolls);
    const vm = await inspectTestVm(compute, SUBSCRIPTION, 'rg-poll', name);
    polls.length = 0;
    const output = await createDiskSnapshots(
      runInput(vm, `run-${name}`, { incremental: false, deadlineMs: 20_000 }),
      compute,
    );
    return { output, polls: [...polls] };
  };

  it('sends the next poll of a lone operation before the last one answered, never more than two at once', async () => {
    const { output, polls: seen } = await snapshot('one-disk');
    expect(output.results.map((r) => r.ok)).toEqual([true]);
    // Sequential polls (answer, then wait the interval) would never overlap at a 150 ms read latency.
    expect(mostInFlight(seen)).toBe(2);
    const starts = seen.map((p) => p.startedAt).sort((a, b) => a - b);
    const gaps = starts.slice(1).map((start, i) => start - (starts[i] ?? start));
    // Every poll after the first went out before the one before it answered (a gap under the read latency).
    expect(gaps.filter((gap) => gap < 150).length).toBeGreaterThan(0);
  });

  it('settles every disk of a VM, and polls each operation at most twice at once', async () => {
    const { output, polls: seen } = await snapshot('three-disks');
    expect(output.results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(new Set(seen.map((p) => p.url)).size).toBe(3);
    expect(mostInFlight(seen)).toBeLessThanOrEqual(2);
  });
});
