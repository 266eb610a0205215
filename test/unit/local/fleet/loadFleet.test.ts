import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { FleetFileError, loadFleet } from '../../../../local/fleet/loadFleet.js';
import { populateInventory } from '../../../../local/fleet/populateInventory.js';

async function fleetFile(text: string, name = 'fleet.yaml'): Promise<string> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'quiesce-fleet-')), name);
  await writeFile(file, text);
  return file;
}

describe('loadFleet', () => {
  it('loads the example fleet and fills the inventory with VMs, disks and NICs', async () => {
    const fleet = await loadFleet(path.resolve(import.meta.dirname, '../../../../local/fleet/examples/demo.yaml'));
    const inventory = populateInventory(fleet);
    expect(inventory.vms.size).toBe(5);
    expect(inventory.disks.size).toBe(5 + 4);
    expect(inventory.nics.size).toBe(5);
    const sql = inventory.vms.list('rg-data').find((vm) => vm.name === 'sql-1');
    expect(sql?.dataDisks.map((d) => d.lun)).toEqual([0, 1]);
    expect(fleet.vms.find((vm) => vm.name === 'old-app-1')?.agent.installed).toBe(false);
  });

  it('names the path of every problem in a bad fleet file', async () => {
    const file = await fleetFile(`
subscriptionId: not-a-guid
vms:
  - name: vm-1
    resourceGroup: rg
    os: solaris
    disks:
      data:
        - { sizeGB: -5, lun: 1 }
        - { lun: 1 }
  - name: vm-1
    resourceGroup: RG
    os: linux
    colour: blue
`);
    const error = await loadFleet(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FleetFileError);
    const problems = (error as FleetFileError).problems.join('\n');
    expect(problems).toMatch(/^subscriptionId: /m);
    expect(problems).toMatch(/^vms\[0\]\.os: /m);
    expect(problems).toMatch(/^vms\[0\]\.disks\.data\[0\]\.sizeGB: /m);
    expect(problems).toMatch(/^vms\[1\]: .*colour/m);
  });

  it('reports duplicate VMs and LUNs once the shape is right, and JSON is accepted too', async () => {
    const file = await fleetFile(
      JSON.stringify({
        vms: [
          { name: 'vm-1', resourceGroup: 'rg', os: 'linux', disks: { data: [{ lun: 1 }, { lun: 1 }] } },
          { name: 'VM-1', resourceGroup: 'rg', os: 'windows' },
        ],
      }),
      'fleet.json',
    );
    const error = await loadFleet(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    const problems = (error as FleetFileError).problems;
    expect(problems).toContain('vms[0].disks.data[1].lun: LUN 1 is used twice');
    expect(problems.some((p) => p.startsWith('vms[1].name: VM "VM-1"'))).toBe(true);
  });
});
