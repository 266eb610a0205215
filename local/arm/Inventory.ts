import type { SecurityRule } from '../fleet/FleetFile.js';

export type PowerState = 'running' | 'stopped' | 'deallocated' | 'starting' | 'stopping' | 'deallocating';

export interface VmRecord {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  os: 'linux' | 'windows';
  powerState: PowerState;
  size: string;
  tags: Record<string, string>;
  vmId: string;
  timeCreated: string;
  osDiskId: string;
  dataDisks: { lun: number; diskId: string }[];
  nicId: string;
}

export interface DiskRecord {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  sizeGB: number;
  sku: string;
  osType: 'Linux' | 'Windows' | undefined;
  file: string | undefined;
  /** The VM the disk is attached to (its resource id), if any. */
  managedBy: string | undefined;
  uniqueId: string;
  timeCreated: string;
}

export interface NicRecord {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  vmId: string | undefined;
  rules: SecurityRule[];
  subnetRules: SecurityRule[] | undefined;
}

export interface SnapshotCopy {
  path: string;
  /** reflink: an atomic clone; verified-copy: copied, then re-read and found unchanged; unverified: writes kept racing. */
  method: 'reflink' | 'verified-copy' | 'unverified-copy';
  /** The instant whose content the copy holds. */
  capturedAt: string;
}

export interface SnapshotRecord {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  incremental: boolean;
  sourceDiskId: string;
  sourceUniqueId: string;
  sizeGB: number;
  sku: string;
  osType: 'Linux' | 'Windows' | undefined;
  uniqueId: string;
  provisioningState: 'Updating' | 'Succeeded' | 'Failed' | 'Deleting';
  /** When ARM received the PUT (before its front door answered 202) and when it accepted it. */
  receivedAt: string;
  acceptedAt: string;
  /** When the server-side operation started: the snapshot's point in time (Azure's timeCreated). */
  timeCreated: string | undefined;
  completedAt: string | undefined;
  /** Background copy of incremental snapshots of Premium SSD v2 / Ultra disks; other snapshots are 100 at once. */
  backgroundCopy: { startedAtMs: number; durationMs: number } | undefined;
  copy: SnapshotCopy | undefined;
}

export type ResourceRecord = VmRecord | DiskRecord | NicRecord | SnapshotRecord;

/**
 * One kind of resource, by lower-case id, with sorted views (all, and per resource group) for stable paging. The views
 * are kept in order as records come and go, never re-sorted: a fleet's snapshots change state thousands of times a run.
 */
class Table<T extends { id: string; resourceGroup: string }> {
  private readonly byId = new Map<string, T>();
  private readonly sortedKeys: string[] = [];
  private readonly groupKeys = new Map<string, string[]>();

  get(id: string): T | undefined {
    return this.byId.get(id.toLowerCase());
  }

  set(record: T): void {
    const key = record.id.toLowerCase();
    if (!this.byId.has(key)) {
      insertSorted(this.sortedKeys, key);
      const group = record.resourceGroup.toLowerCase();
      let keys = this.groupKeys.get(group);
      if (!keys) {
        keys = [];
        this.groupKeys.set(group, keys);
      }
      insertSorted(keys, key);
    }
    this.byId.set(key, record);
  }

  delete(id: string): boolean {
    const key = id.toLowerCase();
    const record = this.byId.get(key);
    if (!record) return false;
    this.byId.delete(key);
    removeSorted(this.sortedKeys, key);
    removeSorted(this.groupKeys.get(record.resourceGroup.toLowerCase()) ?? [], key);
    return true;
  }

  get size(): number {
    return this.byId.size;
  }

  /** All records in id order, optionally only those of one resource group. */
  list(resourceGroup?: string): T[] {
    const keys =
      resourceGroup === undefined ? this.sortedKeys : (this.groupKeys.get(resourceGroup.toLowerCase()) ?? []);
    return keys.map((key) => this.byId.get(key) as T);
  }
}

/** The position of `key` in a sorted array, or where it would go. */
function sortedIndex(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((keys[middle] as string) < key) low = middle + 1;
    else high = middle;
  }
  return low;
}

function insertSorted(keys: string[], key: string): void {
  keys.splice(sortedIndex(keys, key), 0, key);
}

function removeSorted(keys: string[], key: string): void {
  const index = sortedIndex(keys, key);
  if (keys[index] === key) keys.splice(index, 1);
}

export function compareIds(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The simulator's state: every resource, keyed by id (ARM ids are case-insensitive). */
export class Inventory {
  readonly vms = new Table<VmRecord>();
  readonly disks = new Table<DiskRecord>();
  readonly nics = new Table<NicRecord>();
  readonly snapshots = new Table<SnapshotRecord>();
  private readonly groups = new Set<string>();

  constructor(readonly subscriptionId: string) {}

  addResourceGroup(name: string): void {
    this.groups.add(name.toLowerCase());
  }

  hasResourceGroup(name: string): boolean {
    return this.groups.has(name.toLowerCase());
  }

  resourceId(resourceGroup: string, provider: string, type: string, name: string): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${resourceGroup}/providers/${provider}/${type}/${name}`;
  }
}
