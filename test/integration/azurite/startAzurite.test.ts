import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { QueueServiceClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';

import { startAzurite } from '../../../local/azurite/startAzurite.js';

describe('startAzurite', () => {
  it('starts on free loopback ports, serves queues through its connection string, and stops', async () => {
    const azurite = await startAzurite();
    try {
      expect(azurite.connectionString).toContain(
        `QueueEndpoint=http://127.0.0.1:${azurite.ports.queue}/devstoreaccount1`,
      );
      expect(new Set(Object.values(azurite.ports)).size).toBe(3);
      const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('probe');
      await queue.create();
      await queue.sendMessage('hello');
      expect((await queue.receiveMessages()).receivedMessageItems[0]?.messageText).toBe('hello');
    } finally {
      await azurite.stop();
    }
    await expect(fetch(`http://127.0.0.1:${azurite.ports.queue}/`)).rejects.toThrow();
  });

  it('keeps data on disk across restarts when given a location', async () => {
    const location = await mkdtemp(path.join(tmpdir(), 'azurite-'));
    try {
      const first = await startAzurite({ location });
      await QueueServiceClient.fromConnectionString(first.connectionString).getQueueClient('kept').create();
      await first.stop();

      const second = await startAzurite({ location });
      try {
        const names: string[] = [];
        for await (const item of QueueServiceClient.fromConnectionString(second.connectionString).listQueues())
          names.push(item.name);
        expect(names).toContain('kept');
      } finally {
        await second.stop();
      }
    } finally {
      await rm(location, { recursive: true, force: true });
    }
  });
});
