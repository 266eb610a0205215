import type { BackupPolicy, Targets } from '../policy/BackupPolicy.js';

/** A VM as the inventory (ARM) lists it. */
export interface InventoryVm {
  id: string;
  name: string;
  tags: Record<string, string>;
}

export interface TargetResolution {
  selected: InventoryVm[];
  excluded: { vmId: string; reason: string }[];
}

/**
 * The VMs a policy backs up: those its targets name (ids, resource groups, subscriptions, all of its tags), minus its
 * excludes, minus VMs that an enabled policy with a lower priority number (ties: the name first in order) also targets.
 */
export function resolveTargets(
  policy: BackupPolicy,
  inventory: readonly InventoryVm[],
  otherPolicies: readonly BackupPolicy[] = [],
): TargetResolution {
  const resolution: TargetResolution = { selected: [], excluded: [] };
  const rivals = otherPolicies.filter((p) => p.enabled && p.name !== policy.name && outranks(p, policy));
  for (const vm of inventory) {
    if (!isTargeted(policy.targets, vm)) continue;
    const excludedBy = exclusion(policy.targets, vm);
    if (excludedBy) {
      resolution.excluded.push({ vmId: vm.id, reason: excludedBy });
      continue;
    }
    const rival = rivals.find((p) => isTargeted(p.targets, vm) && !exclusion(p.targets, vm));
    if (rival) {
      resolution.excluded.push({
        vmId: vm.id,
        reason: `backed up by policy "${rival.name}" (priority ${rival.priority} before ${policy.priority})`,
      });
      continue;
    }
    resolution.selected.push(vm);
  }
  return resolution;
}

export function isTargeted(targets: Targets, vm: InventoryVm): boolean {
  const id = vm.id.toLowerCase();
  if (targets.vmIds.some((v) => v.toLowerCase() === id)) return true;
  const scopes = [
    ...targets.resourceGroups.map((rg) => `${rg.toLowerCase()}/`),
    ...targets.subscriptions.map((s) => `/subscriptions/${s.toLowerCase()}/`),
  ];
  const inScope =
    scopes.length === 0 ? Object.keys(targets.tags).length > 0 : scopes.some((scope) => id.startsWith(scope));
  return inScope && hasAllTags(vm, targets.tags);
}

function exclusion(targets: Targets, vm: InventoryVm): string | undefined {
  if (targets.exclude.vmIds.some((v) => v.toLowerCase() === vm.id.toLowerCase())) return 'excluded by id';
  const tags = Object.entries(targets.exclude.tags);
  const matched = tags.find(([key, value]) => tagValue(vm, key) === value);
  return matched ? `excluded by tag ${matched[0]}=${matched[1]}` : undefined;
}

function hasAllTags(vm: InventoryVm, tags: Record<string, string>): boolean {
  return Object.entries(tags).every(([key, value]) => tagValue(vm, key) === value);
}

/** Azure tag names are case-insensitive; values are compared as given. */
function tagValue(vm: InventoryVm, key: string): string | undefined {
  const found = Object.keys(vm.tags).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : vm.tags[found];
}

function outranks(a: BackupPolicy, b: BackupPolicy): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.name < b.name);
}
