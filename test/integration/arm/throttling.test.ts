import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ArmSimProcess, FAST_SIMULATOR, startArmSim, testVm } from '../../support/armSimProcess.js';

describe('throttling as ARM does it', () => {
  let sim: ArmSimProcess;
  const vmPath = (name: string, suffix = '') =>
    `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-test/providers/Microsoft.Compute/virtualMachines/${name}${suffix}?api-version=2025-04-01`;

  beforeAll(async () => {
    sim = await startArmSim({
      simulator: {
        ...FAST_SIMULATOR,
        // Tiny buckets so a handful of calls reach them: 3 reads of burst, 2 per second back.
        throttle: { reads: { burst: 3, perSecond: 2 }, vmGetPerVm: { burst: 2, perSecond: 0.001 } },
      },
      vms: [testVm('vm-1'), testVm('vm-2'), testVm('vm-3'), testVm('vm-quiet')],
    });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('counts reads down in x-ms-ratelimit-remaining-subscription-reads, then answers 429 with Retry-After', async () => {
    const principal = { authorization: 'Bearer principal-raw' };
    const remaining: unknown[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await sim.call(
        'GET',
        vmPath('vm-1', '/instanceView').replace('vm-1', `vm-${(i % 3) + 1}`),
        undefined,
        principal,
      );
      expect(response.status).toBe(200);
      remaining.push(response.headers['x-ms-ratelimit-remaining-subscription-reads']);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const throttled = await sim.call('GET', vmPath('vm-3'), undefined, principal);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(throttled.body).toMatchObject({ error: { code: 'SubscriptionRequestsThrottled' } });
    // Another principal has buckets of its own.
    const other = await sim.call('GET', vmPath('vm-3'), undefined, { authorization: 'Bearer principal-other' });
    expect(other.status).toBe(200);
  });

  it('lets the SDK retry after the 429 and succeed (its retry policy honours Retry-After)', async () => {
    const compute = sim.compute({ principal: 'sdk-retry' });
    const before = (await sim.call('GET', '/_sim/stats')).body as { throttled: number };
    const disks = await Promise.all(
      ['vm-1', 'vm-2', 'vm-3', 'vm-1', 'vm-2'].map((vm) => compute.disks.get('rg-test', `${vm}-osdisk`)),
    );
    expect(disks.map((d) => d.name)).toEqual([
      'vm-1-osdisk',
      'vm-2-osdisk',
      'vm-3-osdisk',
      'vm-1-osdisk',
      'vm-2-osdisk',
    ]);
    const after = (await sim.call('GET', '/_sim/stats')).body as { throttled: number };
    expect(after.throttled).toBeGreaterThan(before.throttled);
  });

  it('limits GET and instance view per VM (CRP Low Cost Get), whoever asks', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await sim.call('GET', vmPath('vm-quiet', '/instanceView'), undefined, {
        authorization: `Bearer per-vm-${i}`,
      });
      answers.push(response.status);
      if (response.status === 429) {
        expect(response.headers['x-ms-ratelimit-remaining-resource']).toMatch(/;0$/);
        expect(response.headers['retry-after']).toMatch(/^\d+$/);
      }
    }
    expect(answers).toEqual([200, 200, 429]);
  });

  it('answers 401 without a bearer token and 400 without api-version', async () => {
    const unauthenticated = await sim.call('GET', vmPath('vm-1'));
    expect(unauthenticated.status).toBe(401);
    const noVersion = await sim.call('GET', vmPath('vm-1').replace(/\?.*$/, ''), undefined, {
      authorization: 'Bearer x',
    });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
  });
});
