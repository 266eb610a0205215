import { createHash } from 'node:crypto';

import { parseVmId } from '../arm/resourceId.js';

/**
 * The orchestration instance that backs up one VM in one run. Derived, never stored: the reply trigger recomputes it
 * from a reply's run and VM to check that the reply names the instance it claims, and a retried start finds the
 * instance it already made. `<runId>--<vm name>-<hash of the VM id>`, within Durable's allowed characters.
 */
export function backupVmInstanceId(runId: string, vmId: string): string {
  const hash = createHash('sha256').update(vmId.toLowerCase()).digest('hex').slice(0, 10);
  return `${runInstancePrefix(runId)}${vmSlug(parseVmId(vmId).name)}-${hash}`;
}

/** Whether an instance id is the backupVm instance of the VM with this name in this run. */
export function isVmInstanceOf(instanceId: string, runId: string, vmName: string): boolean {
  const rest = instanceId.slice(runInstancePrefix(runId).length);
  return instanceId.startsWith(runInstancePrefix(runId)) && new RegExp(`^${vmSlug(vmName)}-[0-9a-f]{10}$`).test(rest);
}

function vmSlug(vmName: string): string {
  return vmName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40);
}

/** Every VM instance of a run shares this prefix, so a run's VM instances can be listed and canceled together. */
export function runInstancePrefix(runId: string): string {
  return `${runId}--`;
}
