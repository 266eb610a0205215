import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';

import { ArmReadBudget, armReadBudget, armReadBudgetPolicy } from '../../../../shared/clients/armReadBudget.js';

/** The pause each of `pollers` pollers gets with `remaining` reads left. */
function delayWith(remaining: number | undefined, pollers = 1): number {
  const budget = new ArmReadBudget();
  if (remaining !== undefined) budget.observe(remaining);
  const joined = Array.from({ length: pollers }, () => budget.join());
  return joined[0]?.nextDelayMs(50) ?? Number.NaN;
}

describe('ArmReadBudget', () => {
  it('lets a poller use its fast interval until ARM has said anything, and while 100 reads or more are left', () => {
    expect(delayWith(undefined, 30)).toBe(50);
    expect(delayWith(250, 30)).toBe(50);
    expect(delayWith(100, 30)).toBe(50);
  });

  it('slows the pollers together to the refill rate (25/s) at half the reserve, and further below it', () => {
    expect(delayWith(50, 10)).toBe(400); // 10 pollers × 2.5 polls/s = 25 reads/s
    expect(delayWith(50, 1)).toBe(50); // one poller alone stays at its own interval
    expect(delayWith(75, 10)).toBe(133); // 75 reads/s in all
    expect(delayWith(25, 10)).toBe(1200); // 8.3 reads/s in all
  });

  it('never pauses longer than 2 s, even with nothing left', () => {
    expect(delayWith(5, 10)).toBe(2000);
    expect(delayWith(0, 1)).toBe(2000);
  });

  it('counts only the pollers that have not left', () => {
    const budget = new ArmReadBudget();
    budget.observe(50);
    const pollers = Array.from({ length: 10 }, () => budget.join());
    for (const poller of pollers.slice(1)) poller.leave();
    pollers[1]?.leave(); // leaving twice counts once
    expect(pollers[0]?.nextDelayMs(50)).toBe(50);
  });

  it('forgets a figure older than a second: the bucket has refilled meanwhile', () => {
    let now = 0;
    const budget = new ArmReadBudget(() => now);
    budget.observe(2);
    const poller = budget.join();
    expect(poller.nextDelayMs(50)).toBe(1960);
    now = 1_001;
    expect(poller.nextDelayMs(50)).toBe(50);
  });
});

describe('armReadBudgetPolicy', () => {
  const respond = (headers: Record<string, string>) => (): Promise<PipelineResponse> =>
    Promise.resolve({
      status: 200,
      headers: createHttpHeaders(headers),
      request: createPipelineRequest({ url: 'https://x' }),
    });

  it("records each answer's remaining reads in the budget of the subscription it called", async () => {
    const subscription = '11111111-2222-4333-8444-555555555555';
    const url = `https://management.azure.com/subscriptions/${subscription}/providers/Microsoft.Compute/locations/eastus/DiskOperations/op?api-version=1`;
    await armReadBudgetPolicy().sendRequest(
      createPipelineRequest({ url }),
      respond({ 'x-ms-ratelimit-remaining-subscription-reads': '25' }),
    );
    const pollers = Array.from({ length: 10 }, () => armReadBudget(subscription.toUpperCase()).join());
    expect(pollers[0]?.nextDelayMs(50)).toBe(1200);
    for (const poller of pollers) poller.leave();
  });

  it('leaves the budget alone when the answer has no such header', async () => {
    const subscription = '66666666-2222-4333-8444-555555555555';
    await armReadBudgetPolicy().sendRequest(
      createPipelineRequest({ url: `https://management.azure.com/subscriptions/${subscription}/resourceGroups/rg` }),
      respond({}),
    );
    expect(armReadBudget(subscription).join().nextDelayMs(50)).toBe(50);
  });
});
