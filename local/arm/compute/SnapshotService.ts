import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { z } from 'zod';

import { captureDiskFile } from '../disks/captureDiskFile.js';
import type { FaultAction } from '../faults/FaultRule.js';
import type { ArmRequest, ArmResponse } from '../http/ArmHttp.js';
import { ArmError } from '../http/ArmHttp.js';
import type { Inventory, SnapshotRecord } from '../Inventory.js';
import type { Latency, LatencyKind } from '../Latency.js';
import type { Operations } from '../lro/Operations.js';
import type { SimSettings } from '../simSettings.js';
import { renderSnapshot } from './renderSnapshot.js';

const SnapshotPut = z.object({
  location: z.string().min(1),
  tags: z.record(z.string(), z.string()).optional(),
  sku: z.object({ name: z.string().min(1) }).optional(),
  properties: z.object({
    creationData: z
      .object({
        createOption: z.literal('Copy', { error: 'the simulator creates snapshots with createOption "Copy" only' }),
        sourceResourceId: z.string().min(1).optional(),
        sourceUri: z.string().min(1).optional(),
      })
      .refine((data) => (data.sourceResourceId ?? data.sourceUri) !== undefined, 'sourceResourceId is required'),
    incremental: z.boolean().default(false),
  }),
});

const SnapshotPatch = z.strictObject(
  { tags: z.record(z.string(), z.string()).optional() },
  { error: 'the simulator patches the tags of a snapshot only' },
);

const SNAPSHOT_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIVE_MINUTES_MS = 5 * 60_000;
const BACKGROUND_COPY_SKUS = new Set(['PremiumV2_LRS', 'UltraSSD_LRS']);

export interface SnapshotServiceDeps {
  inventory: Inventory;
  operations: Operations;
  latency: Latency;
  settings: SimSettings;
  /** Where copies of file-backed disks go. */
  dataDir: string;
}

/**
 * Snapshots: PUT as an LRO whose point in time is fixed when the server-side operation starts (a delay after the
 * 202), GET, PATCH (tags) and DELETE as LROs, list.
 */
export class SnapshotService {
  /** Operations still running, so stop() can wait for their file copies. */
  private readonly running = new Set<Promise<void>>();
  /** Per source disk (lower-case id), when each incremental snapshot of it was accepted: ARM's rate limit counts them. */
  private readonly incrementalAccepted = new Map<string, number[]>();

  constructor(private readonly deps: SnapshotServiceDeps) {}

  /** The disk's incremental snapshots accepted in the last five minutes (the list is the disk's own, kept pruned). */
  private recentIncrementals(diskId: string, nowMs: number): number[] {
    const key = diskId.toLowerCase();
    const recent = (this.incrementalAccepted.get(key) ?? []).filter((at) => nowMs - at < FIVE_MINUTES_MS);
    this.incrementalAccepted.set(key, recent);
    return recent;
  }

  get(request: ArmRequest): ArmResponse {
    return { status: 200, body: renderSnapshot(this.find(request), Date.now()) };
  }

  put(request: ArmRequest, fault: FaultAction | undefined): ArmResponse {
    const { inventory, operations, settings } = this.deps;
    const { rg = '', name = '' } = request.params;
    if (!SNAPSHOT_NAME.test(name))
      throw new ArmError(
        400,
        'InvalidParameter',
        `The snapshot name '${name}' is not valid (a-z, A-Z, 0-9, _, -; ≤ 80).`,
      );
    if (!inventory.hasResourceGroup(rg))
      throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
    const parsed = SnapshotPut.safeParse(request.body);
    if (!parsed.success) throw new ArmError(400, 'InvalidParameter', z.prettifyError(parsed.error));
    const body = parsed.data;
    const sourceId = body.properties.creationData.sourceResourceId ?? body.properties.creationData.sourceUri ?? '';
    const disk = inventory.disks.get(sourceId);
    if (!disk) throw new ArmError(404, 'NotFound', `Resource '${sourceId}' was not found.`);

    const id = inventory.resourceId(rg, 'Microsoft.Compute', 'snapshots', name);
    const existing = inventory.snapshots.get(id);
    if (existing) {
      if (existing.sourceDiskId.toLowerCase() !== disk.id.toLowerCase())
        throw new ArmError(409, 'PropertyChangeNotAllowed', "Changing property 'sourceResourceId' is not allowed.");
      if (existing.provisioningState === 'Deleting')
        throw new ArmError(409, 'OperationNotAllowed', `Snapshot '${name}' is being deleted.`);
      // A repeated PUT of the same snapshot is an update: no second point in time.
      if (body.tags) existing.tags = body.tags;
      return { status: 200, body: renderSnapshot(existing, Date.now()) };
    }

    const nowMs = Date.now();
    if (body.properties.incremental) {
      const recent = this.recentIncrementals(disk.id, nowMs);
      if (recent.length >= settings.limits.incrementalSnapshotsPerDiskPer5Min)
        throw new ArmError(
          409,
          'OperationNotAllowed',
          `Disk '${disk.name}' already has ${recent.length} incremental snapshots taken in the last 5 minutes (the limit is ${settings.limits.incrementalSnapshotsPerDiskPer5Min}).`,
        );
      recent.push(nowMs);
    }

    const snapshot: SnapshotRecord = {
      id,
      name,
      resourceGroup: rg,
      location: body.location,
      tags: body.tags ?? {},
      incremental: body.properties.incremental,
      sourceDiskId: disk.id,
      sourceUniqueId: disk.uniqueId,
      sizeGB: disk.sizeGB,
      sku: body.sku?.name ?? (body.properties.incremental ? 'Standard_LRS' : disk.sku),
      osType: disk.osType,
      uniqueId: randomUUID(),
      provisioningState: 'Updating',
      receivedAt: new Date(request.receivedAtMs).toISOString(),
      acceptedAt: new Date(nowMs).toISOString(),
      timeCreated: undefined,
      completedAt: undefined,
      backgroundCopy: undefined,
      copy: undefined,
    };
    inventory.snapshots.set(snapshot);
    const operation = operations.create('Microsoft.Compute');
    const backgroundCopy = snapshot.incremental && BACKGROUND_COPY_SKUS.has(disk.sku);
    this.track(this.runCreate(snapshot, operation.id, disk.file, backgroundCopy, fault));
    const apiVersion = request.query.get('api-version') ?? '';
    return {
      status: 202,
      headers: {
        ...operations.headers(request.baseUrl, operation, apiVersion, settings.lro.retryAfterSeconds),
        'x-ms-ratelimit-remaining-resource':
          'Microsoft.Compute/HighCostSnapshotCreateHydrate3Min;999,Microsoft.Compute/HighCostSnapshotCreateHydrate30Min;7999',
      },
      body: renderSnapshot(snapshot, nowMs),
    };
  }

  delete(request: ArmRequest, fault: FaultAction | undefined): ArmResponse {
    const { inventory } = this.deps;
    const { rg = '', name = '' } = request.params;
    const snapshot = inventory.snapshots.get(inventory.resourceId(rg, 'Microsoft.Compute', 'snapshots', name));
    if (!snapshot) return { status: 204 };
    if (snapshot.provisioningState === 'Updating')
      throw new ArmError(409, 'OperationNotAllowed', `Snapshot '${name}' is still being created.`);
    const previousState = snapshot.provisioningState;
    snapshot.provisioningState = 'Deleting';
    return this.acceptOperation(request, fault, {
      latency: 'deleteOperationMs',
      resourceQuota: 'Microsoft.Compute/DeleteDisks3Min;2999,Microsoft.Compute/DeleteDisks30Min;23999',
      onFailed: () => (snapshot.provisioningState = previousState),
      onSucceeded: async () => {
        inventory.snapshots.delete(snapshot.id);
        if (snapshot.copy) await rm(snapshot.copy.path, { force: true });
        return undefined;
      },
    });
  }

  /**
   * PATCH (SnapshotUpdate), tags only: an LRO like DELETE whose result is the snapshot. As in ARM, the given `tags`
   * replace the snapshot's tags as a whole; a caller that adds tags reads the snapshot and sends the merged set.
   */
  patch(request: ArmRequest, fault: FaultAction | undefined): ArmResponse {
    const snapshot = this.find(request);
    const parsed = SnapshotPatch.safeParse(request.body ?? {});
    if (!parsed.success) throw new ArmError(400, 'InvalidParameter', z.prettifyError(parsed.error));
    if (snapshot.provisioningState === 'Updating' || snapshot.provisioningState === 'Deleting')
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Snapshot '${snapshot.name}' is ${snapshot.provisioningState === 'Updating' ? 'still being created' : 'being deleted'}.`,
      );
    const { tags } = parsed.data;
    return this.acceptOperation(request, fault, {
      // The recorded PATCH ran about as long as a snapshot operation (reference §1.4).
      latency: 'snapshotOperationMs',
      resourceQuota: 'Microsoft.Compute/CreateUpdateDisks3Min;999,Microsoft.Compute/CreateUpdateDisks30Min;7999',
      onSucceeded: () => {
        if (tags) snapshot.tags = tags;
        return Promise.resolve(() => renderSnapshot(snapshot, Date.now()));
      },
    });
  }

  /** Waits for every running operation (their file copies) to end. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  private async runCreate(
    snapshot: SnapshotRecord,
    operationId: string,
    file: string | undefined,
    backgroundCopy: boolean,
    fault: FaultAction | undefined,
  ): Promise<void> {
    const { operations, latency } = this.deps;
    const operation = operations.get(operationId);
    await latency.wait('snapshotStartDelayMs');
    // The point in time: the operation starts now, and a file-backed disk is captured now.
    const startedAtMs = Date.now();
    operations.start(operation);
    snapshot.timeCreated = operation.startTime;
    const duration = latency.sampleMs('snapshotOperationMs');
    if (file !== undefined) {
      try {
        snapshot.copy = await captureDiskFile(file, path.join(this.deps.dataDir, `${snapshot.uniqueId}.img`));
      } catch (error: unknown) {
        snapshot.provisioningState = 'Failed';
        const reason = error instanceof Error ? error.message : String(error);
        operations.fail(operation, 'InternalOperationError', `Copying the disk's backing file failed: ${reason}`);
        return;
      }
    }
    const left = startedAtMs + duration - Date.now();
    if (left > 0) await sleep(left);
    if (fault?.kind === 'failOperation') {
      snapshot.provisioningState = 'Failed';
      operations.fail(operation, fault.code, fault.message);
      return;
    }
    snapshot.provisioningState = 'Succeeded';
    snapshot.completedAt = new Date().toISOString();
    if (backgroundCopy)
      snapshot.backgroundCopy = { startedAtMs: Date.now(), durationMs: latency.sampleMs('backgroundCopyMs') };
    operations.succeed(operation, () => renderSnapshot(snapshot, Date.now()));
  }

  /** Answers 202 for an operation that runs after its latency: it fails when the fault says so, else succeeds. */
  private acceptOperation(
    request: ArmRequest,
    fault: FaultAction | undefined,
    step: {
      latency: LatencyKind;
      resourceQuota: string;
      onFailed?: () => void;
      /** Applies the change; resolves the operation's output (the body of its Location URL), if it has one. */
      onSucceeded: () => Promise<(() => unknown) | undefined>;
    },
  ): ArmResponse {
    const { operations, settings } = this.deps;
    const operation = operations.create('Microsoft.Compute');
    this.track(
      (async () => {
        await this.deps.latency.wait(step.latency);
        operations.start(operation);
        if (fault?.kind === 'failOperation') {
          step.onFailed?.();
          operations.fail(operation, fault.code, fault.message);
          return;
        }
        operations.succeed(operation, await step.onSucceeded());
      })(),
    );
    const apiVersion = request.query.get('api-version') ?? '';
    return {
      status: 202,
      headers: {
        ...operations.headers(request.baseUrl, operation, apiVersion, settings.lro.retryAfterSeconds),
        'x-ms-ratelimit-remaining-resource': step.resourceQuota,
      },
    };
  }

  private find(request: ArmRequest): SnapshotRecord {
    const { inventory } = this.deps;
    const { rg = '', name = '' } = request.params;
    const snapshot = inventory.snapshots.get(inventory.resourceId(rg, 'Microsoft.Compute', 'snapshots', name));
    if (!snapshot)
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.Compute/snapshots/${name}' under resource group '${rg}' was not found.`,
      );
    return snapshot;
  }

  private track(work: Promise<void>): void {
    const tracked: Promise<void> = work.catch(() => undefined).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }
}
