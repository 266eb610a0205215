import { describe, expect, it } from 'vitest';

import { BackupPolicy } from '../../../../shared/policy/BackupPolicy.js';
import { type InventoryVm, resolveTargets } from '../../../../shared/targets/resolveTargets.js';

const sub = '00000000-0000-0000-0000-000000000001';
const vm = (rg: string, name: string, tags: Record<string, string> = {}): InventoryVm => ({
  id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`,
  name,
  tags,
});
const inventory = [
  vm('prod', 'sql-1', { Backup: 'nightly' }),
  vm('prod', 'web-1', { backup: 'nightly', tier: 'web' }),
  vm('test', 'sql-2', { backup: 'nightly' }),
  vm('prod', 'tmp-1'),
];
const policy = (name: string, targets: object, priority = 100) =>
  BackupPolicy.parse({ name, priority, schedule: { cron: '0 2 * * *' }, targets, retention: { keepLast: 3 } });
const names = (list: InventoryVm[]) => list.map((v) => v.name);

describe('resolveTargets', () => {
  it('selects VMs by resource group, by tag (case-insensitive names) and by id', () => {
    expect(
      names(
        resolveTargets(policy('by-rg', { resourceGroups: [`/subscriptions/${sub}/resourceGroups/prod`] }), inventory)
          .selected,
      ),
    ).toEqual(['sql-1', 'web-1', 'tmp-1']);
    expect(names(resolveTargets(policy('tag', { tags: { backup: 'nightly' } }), inventory).selected)).toEqual([
      'sql-1',
      'web-1',
      'sql-2',
    ]);
    expect(names(resolveTargets(policy('by-id', { vmIds: [inventory[3]?.id ?? ''] }), inventory).selected)).toEqual([
      'tmp-1',
    ]);
  });

  it('combines a scope with tags: in the scope and carrying the tags', () => {
    const p = policy('scoped', { subscriptions: [sub], tags: { tier: 'web' } });
    expect(names(resolveTargets(p, inventory).selected)).toEqual(['web-1']);
  });

  it('applies excludes by id and by tag, saying why', () => {
    const p = policy('excl', {
      tags: { backup: 'nightly' },
      exclude: { tags: { tier: 'web' }, vmIds: [inventory[2]?.id ?? ''] },
    });
    const resolution = resolveTargets(p, inventory);
    expect(names(resolution.selected)).toEqual(['sql-1']);
    expect(resolution.excluded.map((e) => e.reason)).toEqual(['excluded by tag tier=web', 'excluded by id']);
  });

  it('leaves a VM in two policies to the one with the lower priority number', () => {
    const gold = policy('gold', { tags: { tier: 'web' } }, 10);
    const broad = policy('broad', { tags: { backup: 'nightly' } }, 100);
    const resolution = resolveTargets(broad, inventory, [gold, broad]);
    expect(names(resolution.selected)).toEqual(['sql-1', 'sql-2']);
    expect(resolution.excluded).toEqual([
      { vmId: inventory[1]?.id, reason: 'backed up by policy "gold" (priority 10 before 100)' },
    ]);
    expect(names(resolveTargets(gold, inventory, [gold, broad]).selected)).toEqual(['web-1']);
  });

  it('ignores disabled rival policies', () => {
    const gold = BackupPolicy.parse({ ...policy('gold', { tags: { tier: 'web' } }, 10), enabled: false });
    expect(
      names(resolveTargets(policy('broad', { tags: { backup: 'nightly' } }), inventory, [gold]).selected),
    ).toContain('web-1');
  });
});
