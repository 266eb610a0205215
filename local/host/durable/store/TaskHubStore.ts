import { randomBytes } from 'node:crypto';

import { odata, TableClient, type TableTransaction, TableTransaction as Transaction } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';

import type { StorageClients } from '../../storage/StorageClients.js';
import { resolveStorageConnectionString } from '../../storage/storageConnection.js';
import type { HistoryEvent, ParentInstance, RuntimeStatus } from '../model/historyEvent.js';
import { fromHistoryEntity, MAX_TABLE_STRING_CHARS, type TableEntity, toHistoryEntity } from './historyEntity.js';
import { escapePartitionKey, historyRowKey, unescapePartitionKey } from './keySanitation.js';

export interface InstanceRecord {
  instanceId: string;
  name: string;
  version: string;
  input: string | null;
  output: string | null;
  customStatus: string | null;
  createdTime: Date;
  lastUpdatedTime: Date;
  completedTime: Date | null;
  runtimeStatus: RuntimeStatus;
  executionId: string;
  generation: number;
  /** Set for sub-orchestrations: where to report completion. */
  parent?: ParentInstance;
}

export interface InboxMessage {
  key: string;
  instanceId: string;
  event: HistoryEvent;
}

export interface InstanceQuery {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  instanceIdPrefix?: string;
}

/** Azure Table transactions take at most 100 entities. */
const MAX_BATCH = 100;

/**
 * A task hub's durable state in Azure Storage with the DurableTask.AzureStorage layout: `<hub>Instances` (one row per
 * instance) and `<hub>History` (one row per event of the current execution, keyed by position), large payloads in
 * `<hub>-largemessages`. Messages raised from outside (start, events, terminate, suspend, resume) wait in
 * `<hub>Inbox` until an episode has written them into history.
 */
export class TaskHubStore {
  readonly hubName: string;
  readonly #instances: TableClient;
  readonly #history: TableClient;
  readonly #inbox: TableClient;
  readonly #large: ContainerClient;
  #inboxSequence = 0;

  constructor(hubName: string, storage: StorageClients, connectionName?: string) {
    if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(hubName)) {
      throw new Error(`Task hub name "${hubName}" must be 3-45 letters and digits, starting with a letter.`);
    }
    this.hubName = hubName;
    const connectionString = resolveStorageConnectionString(connectionName);
    const table = (suffix: string) =>
      TableClient.fromConnectionString(connectionString, `${hubName}${suffix}`, { allowInsecureConnection: true });
    this.#instances = table('Instances');
    this.#history = table('History');
    this.#inbox = table('Inbox');
    this.#large = storage.blobService(connectionName).getContainerClient(`${hubName.toLowerCase()}-largemessages`);
  }

  async ensureCreated(): Promise<void> {
    await Promise.all([
      this.#instances.createTable(),
      this.#history.createTable(),
      this.#inbox.createTable(),
      this.#large.createIfNotExists(),
    ]);
  }

  // ---- Instances ----

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    try {
      const entity = await this.#instances.getEntity<Record<string, unknown>>(escapePartitionKey(instanceId), '');
      return this.#toInstance(entity);
    } catch (error: unknown) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async putInstance(record: InstanceRecord): Promise<void> {
    const partitionKey = escapePartitionKey(record.instanceId);
    const entity: TableEntity = {
      partitionKey,
      rowKey: '',
      Name: record.name,
      Version: record.version,
      CustomStatus: record.customStatus ?? 'null',
      CreatedTime: record.createdTime,
      LastUpdatedTime: record.lastUpdatedTime,
      CompletedTime: record.completedTime ?? undefined,
      RuntimeStatus: record.runtimeStatus,
      ExecutionId: record.executionId,
      TaskHubName: this.hubName,
      Generation: record.generation,
      ParentInstance: record.parent ? JSON.stringify(record.parent) : undefined,
    };
    await this.#putPossiblyLarge(entity, 'Input', record.input, `${partitionKey}/instance-Input.json`);
    await this.#putPossiblyLarge(entity, 'Output', record.output, `${partitionKey}/instance-Output.json`);
    await this.#instances.upsertEntity(entity, 'Replace');
  }

  /** One page of instances matching `query`, newest tables order (by instance id), with the token for the next page. */
  async queryInstances(
    query: InstanceQuery,
    top: number,
    continuationToken?: string,
  ): Promise<{ instances: InstanceRecord[]; continuationToken?: string }> {
    const pages = this.#instances
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: instanceFilter(query) } })
      .byPage({ maxPageSize: top, continuationToken });
    const next = await pages.next();
    if (next.done) return { instances: [] };
    const instances = await Promise.all(next.value.map((entity) => this.#toInstance(entity)));
    return { instances, continuationToken: next.value.continuationToken };
  }

  async deleteInstance(instanceId: string): Promise<void> {
    await this.#instances.deleteEntity(escapePartitionKey(instanceId), '').catch(ignoreNotFound);
    await this.deleteHistory(instanceId);
    await this.#deleteAll(this.#inbox, escapePartitionKey(instanceId));
    for await (const blob of this.#large.listBlobsFlat({ prefix: `${escapePartitionKey(instanceId)}/` })) {
      await this.#large.deleteBlob(blob.name).catch(ignoreNotFound);
    }
  }

  // ---- History ----

  async loadHistory(instanceId: string, executionId: string): Promise<HistoryEvent[]> {
    const partitionKey = escapePartitionKey(instanceId);
    const events: HistoryEvent[] = [];
    const rows = this.#history.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` },
    });
    for await (const row of rows) {
      if (row.ExecutionId !== executionId) continue;
      events.push(await fromHistoryEntity(row, (name) => this.#readBlob(name)));
    }
    return events;
  }

  /** Writes events at positions `fromSequence`… of the execution, in transactions of up to 100 rows. */
  async appendHistory(
    instanceId: string,
    executionId: string,
    fromSequence: number,
    events: readonly HistoryEvent[],
  ): Promise<void> {
    const partitionKey = escapePartitionKey(instanceId);
    let transaction: TableTransaction = new Transaction();
    for (const [index, event] of events.entries()) {
      const rowKey = historyRowKey(fromSequence + index);
      const { entity, large } = toHistoryEntity(
        partitionKey,
        rowKey,
        executionId,
        { ...event, IsPlayed: true },
        `${partitionKey}/history-${executionId}`,
      );
      for (const value of large) await this.#writeBlob(value.blobName, value.value);
      transaction.upsertEntity(entity, 'Replace');
      if (transaction.actions.length === MAX_BATCH) {
        await this.#history.submitTransaction(transaction.actions);
        transaction = new Transaction();
      }
    }
    if (transaction.actions.length > 0) await this.#history.submitTransaction(transaction.actions);
  }

  async deleteHistory(instanceId: string): Promise<void> {
    await this.#deleteAll(this.#history, escapePartitionKey(instanceId));
  }

  // ---- Inbox ----

  /** Persists a message for an instance; keys sort in arrival order. */
  async addInboxMessage(instanceId: string, event: HistoryEvent): Promise<InboxMessage> {
    const key = `${Date.now().toString().padStart(15, '0')}-${(this.#inboxSequence++).toString().padStart(8, '0')}-${randomBytes(4).toString('hex')}`;
    const message: InboxMessage = { key, instanceId, event: { ...event, MessageId: key } };
    const partitionKey = escapePartitionKey(instanceId);
    const entity: TableEntity = { partitionKey, rowKey: key };
    await this.#putPossiblyLarge(entity, 'Event', JSON.stringify(message.event), `${partitionKey}/inbox-${key}.json`);
    await this.#inbox.createEntity(entity);
    return message;
  }

  async listInbox(instanceId: string): Promise<InboxMessage[]> {
    const partitionKey = escapePartitionKey(instanceId);
    const messages: InboxMessage[] = [];
    for await (const row of this.#inbox.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` },
    })) {
      const text =
        typeof row.EventBlobName === 'string' ? await this.#readBlob(row.EventBlobName) : stringProperty(row, 'Event');
      messages.push({ key: row.rowKey ?? '', instanceId, event: JSON.parse(text) as HistoryEvent });
    }
    return messages.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async deleteInboxMessages(instanceId: string, keys: readonly string[]): Promise<void> {
    const partitionKey = escapePartitionKey(instanceId);
    for (let i = 0; i < keys.length; i += MAX_BATCH) {
      const transaction = new Transaction();
      for (const key of keys.slice(i, i + MAX_BATCH)) transaction.deleteEntity(partitionKey, key);
      await this.#inbox.submitTransaction(transaction.actions).catch(async (error: unknown) => {
        // A row already gone fails the whole batch; fall back to one by one.
        if (!isNotFound(error)) throw error;
        for (const key of keys.slice(i, i + MAX_BATCH))
          await this.#inbox.deleteEntity(partitionKey, key).catch(ignoreNotFound);
      });
    }
  }

  // ---- helpers ----

  async #deleteAll(table: TableClient, partitionKey: string): Promise<void> {
    const keys: string[] = [];
    for await (const row of table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ['RowKey'] },
    }))
      keys.push(row.rowKey ?? '');
    for (let i = 0; i < keys.length; i += MAX_BATCH) {
      const transaction = new Transaction();
      for (const key of keys.slice(i, i + MAX_BATCH)) transaction.deleteEntity(partitionKey, key);
      await table.submitTransaction(transaction.actions);
    }
  }

  async #putPossiblyLarge(
    entity: TableEntity,
    property: string,
    value: string | null,
    blobName: string,
  ): Promise<void> {
    if (value === null) return;
    if (value.length <= MAX_TABLE_STRING_CHARS) {
      entity[property] = value;
      return;
    }
    await this.#writeBlob(blobName, value);
    entity[`${property}BlobName`] = blobName;
  }

  async #writeBlob(name: string, value: string): Promise<void> {
    await this.#large.getBlockBlobClient(name).upload(value, Buffer.byteLength(value));
  }

  async #readBlob(name: string): Promise<string> {
    return (await this.#large.getBlockBlobClient(name).downloadToBuffer()).toString('utf8');
  }

  async #toInstance(entity: Record<string, unknown>): Promise<InstanceRecord> {
    const text = async (property: string) => {
      const blobName = entity[`${property}BlobName`];
      if (typeof blobName === 'string') return this.#readBlob(blobName);
      return typeof entity[property] === 'string' ? entity[property] : null;
    };
    const customStatus =
      typeof entity.CustomStatus === 'string' && entity.CustomStatus !== 'null' ? entity.CustomStatus : null;
    return {
      instanceId: unescapePartitionKey(String(entity.partitionKey)),
      name: stringProperty(entity, 'Name'),
      version: stringProperty(entity, 'Version'),
      input: await text('Input'),
      output: await text('Output'),
      customStatus,
      createdTime: toDate(entity.CreatedTime),
      lastUpdatedTime: toDate(entity.LastUpdatedTime),
      completedTime: entity.CompletedTime ? toDate(entity.CompletedTime) : null,
      runtimeStatus: entity.RuntimeStatus as RuntimeStatus,
      executionId: stringProperty(entity, 'ExecutionId'),
      generation: Number(entity.Generation ?? 0),
      ...(typeof entity.ParentInstance === 'string'
        ? { parent: JSON.parse(entity.ParentInstance) as ParentInstance }
        : {}),
    };
  }
}

function instanceFilter(query: InstanceQuery): string | undefined {
  const clauses: string[] = [];
  if (query.runtimeStatus?.length)
    clauses.push(`(${query.runtimeStatus.map((status) => odata`RuntimeStatus eq ${status}`).join(' or ')})`);
  if (query.createdTimeFrom) clauses.push(odata`CreatedTime ge ${query.createdTimeFrom}`);
  if (query.createdTimeTo) clauses.push(odata`CreatedTime le ${query.createdTimeTo}`);
  if (query.instanceIdPrefix) {
    const prefix = escapePartitionKey(query.instanceIdPrefix);
    clauses.push(odata`PartitionKey ge ${prefix} and PartitionKey lt ${`${prefix}\uffff`}`);
  }
  return clauses.length ? clauses.join(' and ') : undefined;
}

function stringProperty(entity: Record<string, unknown>, name: string): string {
  const value = entity[name];
  return typeof value === 'string' ? value : '';
}

function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

function ignoreNotFound(error: unknown): void {
  if (!isNotFound(error)) throw error;
}
