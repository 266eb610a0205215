import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { eventually } from '../support/hostProcess.js';
import { type QuiesceStack, startQuiesceStack } from '../support/quiesceStack.js';

const SUBSCRIPTION = '0d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e64';

interface RunRow {
  runId: string;
  slot?: string;
  status: string;
  kind: string;
}

/** The timer scheduler in the real host: a due slot runs once, however often the timer fires. */
describe('the scheduler', () => {
  let stack: QuiesceStack;
  beforeAll(async () => {
    stack = await startQuiesceStack({
      subscriptionId: SUBSCRIPTION,
      vms: [{ name: 'batch-1', resourceGroup: 'rg-batch', os: 'linux', tags: { backup: 'minutely' } }],
    });
  }, 120_000);
  afterAll(() => stack?.stop());

  it('starts each slot exactly once when the timer fires twice at once', async () => {
    const policy = await stack.api('PUT', 'policies/minutely', {
      schedule: { cron: '* * * * *' },
      targets: { tags: { backup: 'minutely' } },
      guestProcessing: { enabled: false },
      retention: { keepLast: 5 },
    });
    expect(policy.status).toBe(201);
    // The first slot after the policy was saved: wait for the next minute boundary.
    const slot = new Date(Math.ceil((Date.now() + 1) / 60_000) * 60_000);
    await new Promise((resolve) => setTimeout(resolve, slot.getTime() - Date.now() + 500));
    const fire = () => fetch(`${stack.host.url}/admin/functions/scheduler`, { method: 'POST', body: '{}' });
    const fired = await Promise.all([fire(), fire()]);
    expect(fired.map((r) => r.status)).toEqual([202, 202]);

    const runs = await eventually(
      async () => ((await stack.api('GET', 'runs?policy=minutely')).body.runs ?? []) as RunRow[],
      (list) => list.some((r) => r.slot === slot.toISOString() && r.status !== 'Running'),
      30_000,
    );
    const forSlot = runs.filter((r) => r.slot === slot.toISOString());
    expect(forSlot).toHaveLength(1);
    expect(forSlot[0]).toMatchObject({
      runId: `policy-minutely-${slot
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}Z$/, 'Z')}`,
      kind: 'scheduled',
      status: 'Success',
    });
    const run = await stack.api('GET', `runs/${forSlot[0]?.runId}`);
    expect(
      (run.body.results as { vmName: string; consistency: string }[]).map((r) => [r.vmName, r.consistency]),
    ).toEqual([['batch-1', 'crash-consistent']]);
  }, 150_000);
});
