import type { ComputeManagementClient } from '@azure/arm-compute';
import type { z } from 'zod';

import type { CreateDiskSnapshotsInput } from '../../activities/createDiskSnapshots.contract.js';
import { createDiskSnapshots } from '../../activities/createDiskSnapshots.js';
import type { InspectedVm } from '../../activities/inspectVm.contract.js';
import { inspectVm } from '../../activities/inspectVm.js';

/** A VM of the simulated fleet as inspectVm sees it (the test fails if it is not there). */
export async function inspectTestVm(
  compute: ComputeManagementClient,
  subscriptionId: string,
  resourceGroup: string,
  name: string,
): Promise<InspectedVm> {
  const vmId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${name}`;
  const inspected = await inspectVm({ vmId }, compute);
  if (!inspected.found) throw new Error(inspected.reason);
  return inspected;
}

/** createDiskSnapshots' input for one run over every disk of the VM. */
export function runInput(
  vm: InspectedVm,
  runId: string,
  extra: Partial<z.output<typeof CreateDiskSnapshotsInput>> = {},
): z.output<typeof CreateDiskSnapshotsInput> {
  return {
    runId,
    vm: { name: vm.name, subscriptionId: vm.subscriptionId, resourceGroup: vm.resourceGroup, location: vm.location },
    disks: vm.disks,
    incremental: true,
    tags: {},
    deadlineMs: 10_000,
    pollIntervalMs: 50,
    ...extra,
  };
}

/** One run of createDiskSnapshots that must succeed on every disk; resolves the snapshots' ids, disk by disk. */
export async function snapshotRun(
  compute: ComputeManagementClient,
  vm: InspectedVm,
  runId: string,
  extra: Partial<z.output<typeof CreateDiskSnapshotsInput>> = {},
): Promise<string[]> {
  const output = await createDiskSnapshots(runInput(vm, runId, extra), compute);
  return output.results.map((result) => {
    if (!result.ok || result.snapshotId === undefined)
      throw new Error(`snapshot of ${result.disk} failed: ${result.error ?? 'no id'}`);
    return result.snapshotId;
  });
}
