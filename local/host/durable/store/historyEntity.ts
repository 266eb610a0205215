import { EventType, type HistoryEvent, OrchestrationStatus } from '../model/historyEvent.js';

export type TableEntity = Record<string, unknown> & { partitionKey: string; rowKey: string };

const JSON_FIELDS = ['OrchestrationInstance', 'ParentInstance', 'Tags'] as const;
const LARGE_FIELDS = ['Input', 'Result', 'Details', 'Reason'] as const;
/** Table properties hold 64 KiB (32 K UTF-16 characters); larger payloads go to blobs, as DurableTask.AzureStorage does. */
export const MAX_TABLE_STRING_CHARS = 30_000;

export interface LargeValue {
  property: string;
  blobName: string;
  value: string;
}

/** A history event as a DTFx History table row: EventType as its name, `_Timestamp`, nested objects as JSON. */
export function toHistoryEntity(
  partitionKey: string,
  rowKey: string,
  executionId: string,
  event: HistoryEvent,
  largeBlobPrefix: string,
): { entity: TableEntity; large: LargeValue[] } {
  const { EventType: type, Timestamp, IsPlayed, OrchestrationStatus: status, ...fields } = event;
  const entity: TableEntity = {
    partitionKey,
    rowKey,
    ExecutionId: executionId,
    EventType: EventType[type],
    IsPlayed,
    _Timestamp: Timestamp,
  };
  if (status !== undefined) entity.OrchestrationStatus = OrchestrationStatus[status];
  const large: LargeValue[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if ((JSON_FIELDS as readonly string[]).includes(key)) entity[key] = JSON.stringify(value);
    else if (
      (LARGE_FIELDS as readonly string[]).includes(key) &&
      typeof value === 'string' &&
      value.length > MAX_TABLE_STRING_CHARS
    ) {
      const blobName = `${largeBlobPrefix}/${rowKey}-${key}.json`;
      large.push({ property: key, blobName, value });
      entity[`${key}BlobName`] = blobName;
    } else entity[key] = value;
  }
  return { entity, large };
}

/** Back to the wire shape; `readBlob` fetches payloads that were moved to blobs. */
export async function fromHistoryEntity(
  entity: Record<string, unknown>,
  readBlob: (name: string) => Promise<string>,
): Promise<HistoryEvent> {
  const event: Record<string, unknown> = {
    EventType: EventType[entity.EventType as keyof typeof EventType],
    EventId: Number(entity.EventId ?? -1),
    IsPlayed: Boolean(entity.IsPlayed),
    Timestamp: String(entity._Timestamp),
  };
  for (const [key, value] of Object.entries(entity)) {
    if (
      [
        'partitionKey',
        'rowKey',
        'timestamp',
        'etag',
        'odata.etag',
        'ExecutionId',
        'EventType',
        'EventId',
        'IsPlayed',
        '_Timestamp',
      ].includes(key)
    )
      continue;
    if (key === 'OrchestrationStatus') event[key] = OrchestrationStatus[value as keyof typeof OrchestrationStatus];
    else if (key.endsWith('BlobName')) event[key.slice(0, -'BlobName'.length)] = await readBlob(String(value));
    else if ((JSON_FIELDS as readonly string[]).includes(key)) event[key] = JSON.parse(String(value));
    else event[key] = value;
  }
  return event as unknown as HistoryEvent;
}
