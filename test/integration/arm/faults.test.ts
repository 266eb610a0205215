import { isRestError } from '@azure/core-rest-pipeline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type ArmSimProcess, FAST_SIMULATOR, startArmSim, testVm } from '../../support/armSimProcess.js';

interface RuleState {
  id: string;
  applied: number;
}

describe('fault injection through the control endpoint', () => {
  let sim: ArmSimProcess;
  const addFault = async (rule: object): Promise<string> => {
    const response = await sim.call('POST', '/_sim/faults', rule);
    expect(response.status).toBe(201);
    return (response.body as RuleState).id;
  };
  const applied = async (id: string): Promise<number> => {
    const { body } = await sim.call('GET', '/_sim/faults');
    return (body as { value: RuleState[] }).value.find((r) => r.id === id)?.applied ?? -1;
  };
  const statusOf = (e: unknown) => (isRestError(e) ? e.statusCode : e);

  beforeAll(async () => {
    sim = await startArmSim({
      simulator: FAST_SIMULATOR,
      vms: [testVm('vm-1', 'rg-test', { disks: { data: [{ name: 'vm-1-data' }] } }), testVm('vm-2')],
      // A fault from the fleet file: every GET of vm-2's disk answers 404.
      faults: [{ match: { method: 'GET', resource: 'vm-2-osdisk' }, action: { kind: 'error', status: 404 } }],
    });
  });
  afterEach(async () => {
    expect((await sim.call('DELETE', '/_sim/faults')).status).toBe(204);
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('applies fault rules from the fleet file (404)', async () => {
    const error = await sim
      .compute()
      .disks.get('rg-test', 'vm-2-osdisk')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(statusOf(error)).toBe(404);
  });

  it('injects a 500 that the SDK retries, once', async () => {
    const id = await addFault({
      match: { method: 'GET', resource: 'vm-1' },
      action: { kind: 'error', status: 500 },
      count: 1,
    });
    const vm = await sim.compute().virtualMachines.get('rg-test', 'vm-1');
    expect(vm.name).toBe('vm-1');
    expect(await applied(id)).toBe(1);
  });

  it('injects a 503 that reaches a client without retries', async () => {
    await addFault({ match: { path: '/disks/vm-1-data$' }, action: { kind: 'error', status: 503 }, count: 1 });
    const error = await sim
      .compute({ maxRetries: 0 })
      .disks.get('rg-test', 'vm-1-data')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(statusOf(error)).toBe(503);
    expect(error).toMatchObject({ code: 'ServiceUnavailable' });
  });

  it('injects a 429 with Retry-After, which the SDK waits out and retries', async () => {
    const id = await addFault({
      match: { method: 'GET', resource: 'vm-1' },
      action: { kind: 'error', status: 429, retryAfterSeconds: 1 },
      count: 1,
    });
    const vm = await sim.compute().virtualMachines.get('rg-test', 'vm-1');
    expect(vm.name).toBe('vm-1');
    expect(await applied(id)).toBe(1);
  });

  it('injects a 429 without Retry-After, which the SDK does not retry', async () => {
    const id = await addFault({
      match: { method: 'GET', resource: 'vm-1' },
      action: { kind: 'error', status: 429 },
      count: 2,
    });
    const error = await sim
      .compute()
      .virtualMachines.get('rg-test', 'vm-1')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(statusOf(error)).toBe(429);
    expect(await applied(id)).toBe(1);
  });

  it('slows a response down (delay) and still answers it', async () => {
    const id = await addFault({
      match: { resource: 'vm-1-osdisk' },
      action: { kind: 'delay', delayMs: 200 },
      count: 1,
    });
    const disk = await sim.compute().disks.get('rg-test', 'vm-1-osdisk');
    expect(disk.name).toBe('vm-1-osdisk');
    expect(await applied(id)).toBe(1);
  });

  it('hangs a response until the client gives up', async () => {
    await addFault({ match: { resource: 'vm-1-osdisk' }, action: { kind: 'hang' }, count: 1 });
    const error = await sim
      .compute({ maxRetries: 0 })
      .disks.get('rg-test', 'vm-1-osdisk', { abortSignal: AbortSignal.timeout(500) })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ name: 'AbortError' });
    const disk = await sim.compute().disks.get('rg-test', 'vm-1-osdisk');
    expect(disk.name).toBe('vm-1-osdisk');
  });

  it('deallocates a VM when a matching request arrives (mid-run), then reports it deallocated', async () => {
    await addFault({
      match: { method: 'PUT', resource: 'snap-dealloc' },
      action: { kind: 'deallocateVm', resourceGroup: 'rg-test', vm: 'vm-2' },
      count: 1,
    });
    const compute = sim.compute();
    await compute.snapshots.beginCreateOrUpdateAndWait(
      'rg-test',
      'snap-dealloc',
      {
        location: 'eastus',
        creationData: {
          createOption: 'Copy',
          sourceResourceId: `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-test/providers/Microsoft.Compute/disks/vm-1-osdisk`,
        },
      },
      { updateIntervalInMs: 20 },
    );
    const view = await compute.virtualMachines.instanceView('rg-test', 'vm-2');
    expect(view.statuses?.map((s) => s.code)).toContain('PowerState/deallocated');
  });

  it('detaches a data disk when a matching request arrives, then the VM no longer lists it', async () => {
    const compute = sim.compute();
    const before = await compute.virtualMachines.get('rg-test', 'vm-1');
    expect(before.storageProfile?.dataDisks?.map((d) => d.name)).toEqual(['vm-1-data']);
    await addFault({
      match: { method: 'GET', path: '/virtualMachines/vm-1$' },
      action: { kind: 'detachDisk', resourceGroup: 'rg-test', disk: 'vm-1-data' },
      count: 1,
    });
    const after = await compute.virtualMachines.get('rg-test', 'vm-1');
    expect(after.storageProfile?.dataDisks).toEqual([]);
    const disk = await compute.disks.get('rg-test', 'vm-1-data');
    expect(disk.managedBy).toBeUndefined();
    expect(disk.diskState).toBe('Unattached');
  });

  it('stops applying a rule once it is deleted, and rejects an invalid rule with the zod issues', async () => {
    const id = await addFault({ match: { resource: 'vm-1-osdisk' }, action: { kind: 'error', status: 500 } });
    expect((await sim.call('DELETE', `/_sim/faults/${id}`)).status).toBe(204);
    const disk = await sim.compute({ maxRetries: 0 }).disks.get('rg-test', 'vm-1-osdisk');
    expect(disk.name).toBe('vm-1-osdisk');
    const invalid = await sim.call('POST', '/_sim/faults', {
      action: { kind: 'error', status: 200 },
      match: { path: '(' },
    });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).toMatch(/action\.status/);
    expect(JSON.stringify(invalid.body)).toMatch(/regular expression/);
  });
});
