import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ArmSimProcess, FAST_SIMULATOR, startArmSim, testVm } from '../../support/armSimProcess.js';

const PAGE_SIZE = 4;

describe('list paging with nextLink through @azure/arm-compute', () => {
  let sim: ArmSimProcess;
  const vms = [
    ...Array.from({ length: 14 }, (_, i) => testVm(`app-${String(i).padStart(2, '0')}`, 'rg-a')),
    ...Array.from({ length: 11 }, (_, i) =>
      testVm(`db-${String(i).padStart(2, '0')}`, 'rg-b', { disks: { data: [{}] } }),
    ),
  ];

  beforeAll(async () => {
    sim = await startArmSim({ simulator: { ...FAST_SIMULATOR, pageSize: PAGE_SIZE }, vms });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('lists every VM of the subscription once, across pages of the configured size', async () => {
    const compute = sim.compute();
    const pageSizes: number[] = [];
    const names: string[] = [];
    for await (const page of compute.virtualMachines.listAll().byPage()) {
      pageSizes.push(page.length);
      names.push(...page.map((vm) => vm.name ?? ''));
    }
    expect(names).toHaveLength(25);
    expect(new Set(names).size).toBe(25);
    expect(pageSizes).toEqual([4, 4, 4, 4, 4, 4, 1]);
  });

  it('lists the VMs and disks of one resource group', async () => {
    const compute = sim.compute();
    const names: string[] = [];
    for await (const vm of compute.virtualMachines.list('rg-b')) names.push(vm.name ?? '');
    expect(names).toEqual(Array.from({ length: 11 }, (_, i) => `db-${String(i).padStart(2, '0')}`));
    let disks = 0;
    for await (const disk of compute.disks.listByResourceGroup('rg-b')) {
      expect(disk.managedBy).toMatch(/\/virtualMachines\/db-\d\d$/);
      disks += 1;
    }
    expect(disks).toBe(22);
  });

  it('lists snapshots by resource group and by subscription across pages', async () => {
    const compute = sim.compute();
    const diskId = (vm: string) =>
      `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-a/providers/Microsoft.Compute/disks/${vm}-osdisk`;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        compute.snapshots.beginCreateOrUpdateAndWait(
          'rg-a',
          `snap-${i}`,
          { location: 'eastus', creationData: { createOption: 'Copy', sourceResourceId: diskId(`app-0${i % 5}`) } },
          { updateIntervalInMs: 20 },
        ),
      ),
    );
    const byGroup: string[] = [];
    for await (const s of compute.snapshots.listByResourceGroup('rg-a')) byGroup.push(s.name ?? '');
    const bySubscription: string[] = [];
    let pages = 0;
    for await (const page of compute.snapshots.list().byPage()) {
      pages += 1;
      bySubscription.push(...page.map((s) => s.name ?? ''));
    }
    expect(byGroup.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `snap-${i}`));
    expect(bySubscription.sort()).toEqual(byGroup);
    expect(pages).toBe(3);
  });

  it('answers 404 ResourceGroupNotFound for a resource group that does not exist', async () => {
    const response = await sim.call(
      'GET',
      `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-none/providers/Microsoft.Compute/virtualMachines?api-version=2025-04-01`,
      undefined,
      { authorization: 'Bearer x' },
    );
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: 'ResourceGroupNotFound' } });
  });
});
