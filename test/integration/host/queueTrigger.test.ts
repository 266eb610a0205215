import path from 'node:path';

import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { eventually, type HostProcess, PROJECT_DIR, startHostProcess, uniqueName } from '../../support/hostProcess.js';

const APP = path.join(PROJECT_DIR, 'test/fixtures/app-esm');
const toBase64 = (text: string) => Buffer.from(text).toString('base64');
const fromBase64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

describe('storage queue triggers through the local host and Azurite', () => {
  const queues = {
    WORK_QUEUE: uniqueName('work'),
    DONE_QUEUE: uniqueName('done'),
    FLAKY_QUEUE: uniqueName('flaky'),
    SLOW_QUEUE: uniqueName('slow'),
  };
  const service = QueueServiceClient.fromConnectionString(inject('azuriteConnectionString'));
  const work = service.getQueueClient(queues.WORK_QUEUE);
  const done = service.getQueueClient(queues.DONE_QUEUE);
  const flaky = service.getQueueClient(queues.FLAKY_QUEUE);
  const poison = service.getQueueClient(`${queues.FLAKY_QUEUE}-poison`);
  let host: HostProcess;

  /** Drains the done queue (its messages are base64 JSON written by the host's output binding). */
  const doneMessages: Record<string, unknown>[] = [];
  async function readDone(): Promise<Record<string, unknown>[]> {
    if (!(await done.exists())) return doneMessages; // the output binding creates it on first use
    const { receivedMessageItems } = await done.receiveMessages({ numberOfMessages: 32 });
    for (const item of receivedMessageItems) {
      doneMessages.push(JSON.parse(fromBase64(item.messageText)) as Record<string, unknown>);
      await done.deleteMessage(item.messageId, item.popReceipt);
    }
    return doneMessages;
  }

  async function attempts(): Promise<Record<string, { dequeueCount: number }[]>> {
    return (await (await fetch(`${host.url}/api/attempts`)).json()) as Record<string, { dequeueCount: number }[]>;
  }

  beforeAll(async () => {
    await Promise.all([work.create(), flaky.create()]);
    host = await startHostProcess(APP, { AzureWebJobsStorage: inject('azuriteConnectionString'), ...queues });
  });
  afterAll(() => host.stop('SIGKILL'));

  it('decodes a base64 message, passes its metadata, deletes it and writes the return binding', async () => {
    const sent = await work.sendMessage(toBase64(JSON.stringify({ hello: 'world' })));
    const results = await eventually(readDone, (all) => all.some((m) => m.id === sent.messageId));
    const result = results.find((m) => m.id === sent.messageId);
    expect(result).toMatchObject({ message: { hello: 'world' }, dequeueCount: 1, queueTrigger: { hello: 'world' } }); // the library JSON-parses string metadata
    const remaining = await work.peekMessages({ numberOfMessages: 32 });
    expect(remaining.peekedMessageItems.map((m) => m.messageId)).not.toContain(sent.messageId);
  });

  it('sends one message per array element through an output binding and processes each', async () => {
    const response = await fetch(`${host.url}/api/enqueue`, {
      method: 'POST',
      body: JSON.stringify([{ n: 1 }, { n: 2 }, { n: 3 }]),
    });
    expect(response.status).toBe(202);
    const results = await eventually(readDone, (all) =>
      [1, 2, 3].every((n) => all.some((m) => (m.message as { n?: number }).n === n)),
    );
    expect(
      results
        .filter((m) => typeof (m.message as { n?: number }).n === 'number')
        .map((m) => (m.message as { n: number }).n)
        .sort(),
    ).toEqual([1, 2, 3]);
  });

  it('processes a burst of messages in batches, every one exactly once', async () => {
    const burst = Array.from({ length: 40 }, (_, i) => ({ burst: i }));
    await Promise.all(burst.map((body) => work.sendMessage(toBase64(JSON.stringify(body)))));
    const results = await eventually(
      readDone,
      (all) => all.filter((m) => 'burst' in (m.message as object)).length >= 40,
    );
    const seen = results.map((m) => (m.message as { burst?: number }).burst).filter((n) => n !== undefined);
    expect(seen.sort((a, b) => a - b)).toEqual(burst.map((b) => b.burst));
  });

  it('retries a failing message with a growing dequeueCount, then moves it to the poison queue', async () => {
    const body = JSON.stringify({ poison: uniqueName('p') });
    await flaky.sendMessage(toBase64(body));
    const poisoned = await eventually(
      () => poison.receiveMessages({ numberOfMessages: 32 }).catch(() => ({ receivedMessageItems: [] })),
      (r) => r.receivedMessageItems.length > 0,
    );
    expect(poisoned.receivedMessageItems.map((m) => fromBase64(m.messageText))).toContain(body);
    const tries = (await attempts())[body];
    expect(tries?.map((t) => t.dequeueCount)).toEqual([1, 2, 3]);
    expect((await flaky.peekMessages()).peekedMessageItems).toHaveLength(0);
  });

  it('completes a message that fails once and then succeeds, without poisoning it', async () => {
    const body = JSON.stringify({ failTimes: 1, id: uniqueName('f') });
    await flaky.sendMessage(toBase64(body));
    const tries = await eventually(attempts, (all) => (all[body]?.length ?? 0) >= 2);
    expect(tries[body]?.map((t) => t.dequeueCount)).toEqual([1, 2]);
    await eventually(
      async () => (await flaky.peekMessages()).peekedMessageItems.length,
      (count) => count === 0,
    );
    const poisoned = await poison.peekMessages({ numberOfMessages: 32 });
    expect(poisoned.peekedMessageItems.map((m) => fromBase64(m.messageText))).not.toContain(body);
  });

  it('never hands a message that is not base64 to the handler, and poisons it after maxDequeueCount', async () => {
    const garbage = `not base64 ${uniqueName('g')}!`;
    await flaky.sendMessage(garbage);
    const poisoned = await eventually(
      async () => (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((m) => m.messageText),
      (texts) => texts.includes(garbage),
    );
    expect(poisoned).toContain(garbage);
    expect(Object.keys(await attempts()).some((key) => key.includes('not base64'))).toBe(false);
    expect(host.logs.some((r) => r.msg.includes('not valid base64'))).toBe(true);
  });

  // Runs last in this file: it stops the shared host.
  it('on SIGTERM finishes a running queue invocation and deletes its message before exiting', async () => {
    const slow = service.getQueueClient(queues.SLOW_QUEUE);
    await slow.create();
    await slow.sendMessage(toBase64(JSON.stringify({ ms: 1_500 })));
    await host.waitForLog((r) => r.function === 'slowWork' && r.msg.startsWith('Executing'));
    expect((await slow.getProperties()).approximateMessagesCount).toBe(1); // invisible, but still there
    expect(await host.stop('SIGTERM')).toBe(0);
    expect(host.logs.some((r) => r.function === 'slowWork' && r.msg.includes('(Succeeded'))).toBe(true);
    expect((await slow.getProperties()).approximateMessagesCount).toBe(0);
  });
});
