import { createHash } from 'node:crypto';

/**
 * The snapshot of a disk in a run has one name, always: a retried activity finds its own earlier snapshot instead
 * of making a second one. Readable prefix, a hash of run + disk for uniqueness, within ARM's 80 characters.
 */
export function snapshotName(runId: string, vmName: string, diskId: string, diskName: string): string {
  const hash = createHash('sha256').update(`${runId}\n${diskId.toLowerCase()}`).digest('hex').slice(0, 12);
  const clean = (text: string, max: number) => text.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, max);
  return `qz-${clean(vmName, 30)}-${clean(diskName, 30)}-${hash}`;
}
