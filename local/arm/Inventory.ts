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
  acceptedAt: string;
  /** When the server-side operation started: the snapshot's point in time (Azure's timeCreated). */
  timeCreated: string | undefined;
  completedAt: string | undefined;
  /** Background copy of incremental snapshots of Premium SSD v2 / Ultra disks; other snapshots are 100 at once. */
  backgroundCopy: { startedAtMs: number; durationMs: number } | undefined;
  copy: SnapshotCopy | undefined;
}

export type ResourceRecord = VmRecord | DiskRecord | NicRecord | SnapshotRecord;

/** One kind of resource, by lower-case id, with a sorted view for stable paging. */
class Table<T extends { id: string; resourceGroup: string }> {
  private readonly byId = new Map<string, T>();
  private sorted: T[] | undefined;

  get(id: string): T | undefined {
    return this.byId.get(id.toLowerCase());
  }

  set(record: T): void {
    this.byId.set(record.id.toLowerCase(), record);
    this.sorted = undefined;
  }

  delete(id: string): boolean {
    this.sorted = undefined;
    return this.byId.delete(id.toLowerCase());
  }

  get size(): number {
    return this.byId.size;
  }

  /** All records in id order, optionally only those of one resource group. */
  list(resourceGroup?: string): T[] {
    this.sorted ??= [...this.byId.values()].sort((a, b) => compareIds(a.id, b.id));
    if (resourceGroup === undefined) return this.sorted;
    const group = resourceGroup.toLowerCase();
    return this.sorted.filter((record) => record.resourceGroup.toLowerCase() === group);
  }
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
