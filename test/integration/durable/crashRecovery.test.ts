import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterEach, describe, expect, inject, it } from 'vitest';

import {
  type DurableHost,
  raise,
  startDurableHost,
  startOrchestration,
  statusOf,
  waitForStatus,
} from '../../support/durableApp.js';
import { eventually, uniqueName } from '../../support/hostProcess.js';

/** Hosts killed with SIGKILL and started again on the same task hub: nothing is lost, activities run at least once. */
describe('crash recovery of the durable engine', () => {
  const started: DurableHost[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((h) => h.stop('SIGKILL')));
  });
  async function host(hub?: string, sideEffectQueue?: string): Promise<DurableHost> {
    const h = await startDurableHost({ ...(hub ? { hub } : {}), ...(sideEffectQueue ? { sideEffectQueue } : {}) });
    started.push(h);
    return h;
  }

  it('finishes a fan-out killed half way, with every activity executed at least once', async () => {
    const first = await host();
    const effects = QueueServiceClient.fromConnectionString(inject('azuriteConnectionString')).getQueueClient(
      first.sideEffectQueue,
    );
    const count = 400;
    await startOrchestration(first, 'fanOut', 'killed-fan-out', { count, key: 'k', delayMs: 40 });
    const before = await eventually(
      async () => ((await effects.exists()) ? ((await effects.getProperties()).approximateMessagesCount ?? 0) : 0),
      (n) => n >= 100,
    );
    expect(before).toBeLessThan(count); // killed mid-flight
    await first.stop('SIGKILL');

    const second = await host(first.hub, first.sideEffectQueue);
    await second.waitForLog((r) => r.msg.startsWith('Resumed 1 orchestration instance'));
    expect(await waitForStatus(second, 'killed-fan-out', undefined, 60_000)).toMatchObject({
      runtimeStatus: 'Completed',
      output: count,
    });

    const executions = new Map<string, number>();
    for (;;) {
      const { receivedMessageItems } = await effects.receiveMessages({ numberOfMessages: 32 });
      if (receivedMessageItems.length === 0) break;
      for (const item of receivedMessageItems) {
        const key = Buffer.from(item.messageText, 'base64').toString();
        executions.set(key, (executions.get(key) ?? 0) + 1);
        await effects.deleteMessage(item.messageId, item.popReceipt);
      }
    }
    const missing = Array.from({ length: count }, (_, i) => `k:${i}`).filter((key) => !executions.has(key));
    expect(missing).toEqual([]);
    expect(executions.size).toBe(count);
  });

  it('re-arms a durable timer after a kill and still lets it win', async () => {
    const first = await host();
    await startOrchestration(first, 'race', 'killed-timer', { activityMs: 60_000, timeoutMs: 3_000 });
    await waitForStatus(first, 'killed-timer', ['Running']);
    await first.stop('SIGKILL');
    const second = await host(first.hub);
    expect(await waitForStatus(second, 'killed-timer')).toMatchObject({
      runtimeStatus: 'Completed',
      output: { winner: 'timer' },
    });
  });

  it('keeps an instance waiting for an event across a kill, and an event raised before the kill', async () => {
    const first = await host();
    await startOrchestration(first, 'waitEvent', 'killed-wait', { timeoutMs: 60_000 });
    await expect.poll(async () => (await statusOf(first, 'killed-wait')).customStatus).toBe('waiting');
    expect(await raise(first, 'killed-wait', 'approve', 'before the crash')).toBe(202);
    await first.stop('SIGKILL');
    const second = await host(first.hub);
    expect(await raise(second, 'killed-wait', 'approve', 'after the crash')).toBe(202);
    expect(await waitForStatus(second, 'killed-wait')).toMatchObject({
      output: { approved: 'before the crash', second: 'after the crash' },
    });
  });

  it('runs an instance whose start was accepted (row written) but never began before the kill', async () => {
    const first = await host();
    await first.stop('SIGTERM'); // the task hub's tables now exist
    const id = uniqueName('accepted');
    // Exactly what startNew leaves behind when the host dies right after answering 202: a Pending row, no history.
    const instances = TableClient.fromConnectionString(inject('azuriteConnectionString'), `${first.hub}Instances`, {
      allowInsecureConnection: true,
    });
    const now = new Date();
    await instances.createEntity({
      partitionKey: id,
      rowKey: '',
      Name: 'hello',
      Version: '',
      Input: JSON.stringify(['crash']),
      CustomStatus: 'null',
      RuntimeStatus: 'Pending',
      ExecutionId: 'e1',
      Generation: 0,
      CreatedTime: now,
      LastUpdatedTime: now,
    });
    const second = await host(first.hub);
    expect(await waitForStatus(second, id)).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello crash!'] });
  });

  it('has the custom status in the instance row by the time the host stopped', async () => {
    const first = await host();
    const id = uniqueName('custom-status');
    // Set after a timer, so the change is a custom status alone: its row write is deferred, and the stop flushes it.
    await startOrchestration(first, 'waitEvent', id, { timeoutMs: 60_000, delayBeforeWaitMs: 100 });
    await expect.poll(async () => (await statusOf(first, id)).customStatus).toBe('waiting');
    await first.stop('SIGTERM');
    expect(await instanceRow(first.hub, id)).toEqual({ customStatus: 'waiting', status: 'Running' });
  });

  it('writes a change of custom status alone to the row soon after, not with the episode', async () => {
    const first = await host();
    const id = uniqueName('custom-later');
    await startOrchestration(first, 'waitEvent', id, { timeoutMs: 60_000, delayBeforeWaitMs: 100 });
    await expect.poll(async () => (await statusOf(first, id)).customStatus).toBe('waiting');
    await expect
      .poll(() => instanceRow(first.hub, id), { timeout: 5_000 })
      .toEqual({ customStatus: 'waiting', status: 'Running' });
    await first.stop('SIGKILL');
  });
});

async function instanceRow(hub: string, id: string): Promise<{ customStatus: unknown; status: string }> {
  const instances = TableClient.fromConnectionString(inject('azuriteConnectionString'), `${hub}Instances`, {
    allowInsecureConnection: true,
  });
  const row = await instances.getEntity<{ CustomStatus: string; RuntimeStatus: string }>(id, '');
  return { customStatus: JSON.parse(row.CustomStatus) as unknown, status: row.RuntimeStatus };
}
