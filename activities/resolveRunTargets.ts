import type { z } from 'zod';

import { registerActivity } from '../shared/activity/registerActivity.js';
import { parseVmId } from '../shared/arm/resourceId.js';
import { computeClient } from '../shared/clients/armClients.js';
import { getConfig } from '../shared/config.js';
import type { BackupPolicy } from '../shared/policy/BackupPolicy.js';
import { policyStore } from '../shared/policy/defaultPolicyStore.js';
import { backupVmInstanceId } from '../shared/runs/instanceIds.js';
import { type InventoryVm, resolveTargets } from '../shared/targets/resolveTargets.js';
import {
  resolveRunTargetsContract,
  type ResolveRunTargetsOutput,
  type RunTarget,
} from './resolveRunTargets.contract.js';

export interface Inventory {
  /** Every VM of a subscription, with its tags. */
  vmsIn(subscriptionId: string): Promise<InventoryVm[]>;
}

export const armInventory: Inventory = {
  async vmsIn(subscriptionId) {
    const vms: InventoryVm[] = [];
    for await (const vm of computeClient(subscriptionId).virtualMachines.listAll())
      if (vm.id && vm.name) vms.push({ id: vm.id, name: vm.name, tags: vm.tags ?? {} });
    return vms;
  },
};

export async function resolveRunTargets(
  input: z.output<typeof resolveRunTargetsContract.input>,
  deps: { inventory: Inventory; otherPolicies: () => Promise<BackupPolicy[]>; subscriptionIds: string[] },
): Promise<ResolveRunTargetsOutput> {
  const target = (vmId: string): RunTarget => ({
    vmId,
    name: parseVmId(vmId).name,
    instanceId: backupVmInstanceId(input.runId, vmId),
  });
  if (input.vmIds) return { vms: uniqueIds(input.vmIds).map(target), excluded: [] };
  const policy = input.policy;
  if (!policy) throw new Error('resolveRunTargets needs a policy or VM ids.');

  const subscriptions = new Set([
    ...policy.targets.subscriptions,
    ...policy.targets.resourceGroups.map((rg) => parseScope(rg)),
    ...(Object.keys(policy.targets.tags).length > 0 ? deps.subscriptionIds : []),
  ]);
  const listed = (await Promise.all([...subscriptions].map((s) => deps.inventory.vmsIn(s)))).flat();
  const known = new Set(listed.map((vm) => vm.id.toLowerCase()));
  // A VM named by id is backed up even if no listing shows it: its result then says plainly that it was not found.
  const named = policy.targets.vmIds
    .filter((id) => !known.has(id.toLowerCase()))
    .map((id) => ({ id, name: parseVmId(id).name, tags: {} }));
  const resolution = resolveTargets(policy, [...listed, ...named], await deps.otherPolicies());
  return { vms: resolution.selected.map((vm) => target(vm.id)), excluded: resolution.excluded };
}

function uniqueIds(ids: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const id of ids) if (!seen.has(id.toLowerCase())) seen.set(id.toLowerCase(), id);
  return [...seen.values()];
}

function parseScope(resourceGroupId: string): string {
  return resourceGroupId.split('/')[2] ?? '';
}

registerActivity(resolveRunTargetsContract, (input) =>
  resolveRunTargets(input, {
    inventory: armInventory,
    otherPolicies: async () => (await policyStore().list()).map((stored) => stored.policy),
    subscriptionIds: getConfig().QUIESCE_SUBSCRIPTION_IDS,
  }),
);
