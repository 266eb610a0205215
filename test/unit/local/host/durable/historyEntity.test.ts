import { describe, expect, it } from 'vitest';

import { EventType, historyEvent, OrchestrationStatus } from '../../../../../local/host/durable/model/historyEvent.js';
import {
  fromHistoryEntity,
  MAX_TABLE_STRING_CHARS,
  toHistoryEntity,
} from '../../../../../local/host/durable/store/historyEntity.js';
import {
  escapePartitionKey,
  historyRowKey,
  unescapePartitionKey,
} from '../../../../../local/host/durable/store/keySanitation.js';

describe('task hub table keys', () => {
  it('escapes characters tables refuse, and round-trips', () => {
    const id = 'vm/rg#1?x\\y^z\u0001';
    const escaped = escapePartitionKey(id);
    expect(escaped).toBe('vm^002Frg^00231^003Fx^005Cy^005Ez^0001');
    expect(unescapePartitionKey(escaped)).toBe(id);
  });

  it('keys history rows by position as 16 hex digits', () => {
    expect(historyRowKey(0)).toBe('0000000000000000');
    expect(historyRowKey(255)).toBe('00000000000000FF');
  });
});

describe('history rows', () => {
  it('store EventType and OrchestrationStatus by name, nested objects as JSON, and read back the wire shape', async () => {
    const event = {
      ...historyEvent(EventType.ExecutionCompleted, new Date('2026-01-01T00:00:00Z'), {
        OrchestrationStatus: OrchestrationStatus.Failed,
        Result: 'x',
      }),
      EventId: 4,
      IsPlayed: true,
      OrchestrationInstance: { InstanceId: 'i', ExecutionId: 'e' },
    };
    const { entity, large } = toHistoryEntity('i', historyRowKey(3), 'e', event, 'i/history-e');
    expect(entity).toMatchObject({
      EventType: 'ExecutionCompleted',
      OrchestrationStatus: 'Failed',
      ExecutionId: 'e',
      _Timestamp: '2026-01-01T00:00:00.0000000Z',
      OrchestrationInstance: '{"InstanceId":"i","ExecutionId":"e"}',
    });
    expect(large).toEqual([]);
    expect(await fromHistoryEntity(entity, () => Promise.reject(new Error('no blobs')))).toEqual(event);
  });

  it('move payloads too large for a table property to blobs and fetch them back', async () => {
    const big = 'x'.repeat(MAX_TABLE_STRING_CHARS + 1);
    const event = {
      ...historyEvent(EventType.TaskCompleted, new Date(0), { TaskScheduledId: 0, Result: big }),
      IsPlayed: true,
    };
    const { entity, large } = toHistoryEntity('i', historyRowKey(7), 'e', event, 'i/history-e');
    expect(entity).not.toHaveProperty('Result');
    expect(entity.ResultBlobName).toBe('i/history-e/0000000000000007-Result.json');
    expect(large).toEqual([{ property: 'Result', blobName: 'i/history-e/0000000000000007-Result.json', value: big }]);
    const blobs = new Map(large.map((l) => [l.blobName, l.value]));
    expect((await fromHistoryEntity(entity, (name) => Promise.resolve(blobs.get(name) ?? ''))).Result).toBe(big);
  });
});
