import path from 'node:path';

import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sendGuestCommand } from '../../../activities/sendGuestCommand.js';
import { type RunningAzurite, startAzurite } from '../../../local/azurite/startAzurite.js';
import {
  commandQueueName,
  generateSigningKeyPair,
  type PongBody,
  type Reply,
  REPLY_QUEUE_NAME,
  type SealInput,
  sealReply,
  type SigningKeyPair,
} from '../../../shared/protocol/index.js';
import { backupVmInstanceId } from '../../../shared/runs/instanceIds.js';
import { AgentFixture } from '../../support/agentFixture.js';
import type { DurableStatus } from '../../support/durableApp.js';
import { eventually, type HostProcess, PROJECT_DIR, startHostProcess, uniqueName } from '../../support/hostProcess.js';
import { SAMPLE_PONG } from '../../support/samplePong.js';

const REPLIES_APP = path.join(PROJECT_DIR, 'test/fixtures/app-replies');
const vmId = (name: string) =>
  `/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`;

/**
 * The app's reply trigger in a real host, with a stand-in orchestration waiting for pongs. The trigger reads the one
 * shared reply queue, so this suite has an Azurite of its own: other suites' Quiesce hosts never take its messages.
 */
describe('the guest reply trigger, through the local host and Azurite', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let replies: QueueClient;
  const web1 = { vmId: vmId('web-1'), keys: generateSigningKeyPair() };

  const startWaiting = async (runId: string, forVm: string, count = 1) => {
    const instanceId = backupVmInstanceId(runId, forVm);
    const started = await fetch(`${host.url}/durabletask/orchestrators/awaitPongs/${instanceId}`, {
      method: 'POST',
      body: JSON.stringify({ count }),
    });
    expect(started.status).toBe(202);
    return instanceId;
  };
  const statusOf = async (instanceId: string) =>
    (await (await fetch(`${host.url}/durabletask/instances/${instanceId}`)).json()) as DurableStatus;
  const completed = async (instanceId: string) => {
    const status = await eventually(
      () => statusOf(instanceId),
      (s) => s.runtimeStatus !== 'Running' && s.runtimeStatus !== 'Pending',
    );
    expect(status.runtimeStatus).toBe('Completed');
    return status.output as Reply[];
  };
  const sealPong = (
    runId: string,
    overrides: Partial<Omit<SealInput<'pong', PongBody>, 'type' | 'body'>> = {},
    agent: { vmId: string; keys: SigningKeyPair } = web1,
  ) => {
    const sealed = sealReply(
      {
        type: 'pong',
        vmId: agent.vmId,
        instanceId: backupVmInstanceId(runId, agent.vmId),
        runId,
        ttlMs: 60_000,
        body: SAMPLE_PONG,
        ...overrides,
      },
      agent.keys.privateKey,
    );
    if (!sealed.ok) throw new Error('oversized');
    return sealed;
  };
  const droppedFor = (reason: string, messageId: string) =>
    host.logs.filter(
      (r) => r.function === 'guestReplies' && r.msg.includes(`(${reason})`) && r.msg.includes(messageId),
    );
  const waitForDrop = async (reason: string, messageId: string) => {
    await host.waitForLog((r) => droppedFor(reason, messageId).includes(r));
    expect(droppedFor(reason, messageId)).toHaveLength(1);
  };
  const enroll = async (agent: { vmId: string; keys: SigningKeyPair }) => {
    const response = await fetch(`${host.url}/api/agents`, {
      method: 'POST',
      body: JSON.stringify({ vmId: agent.vmId, publicKey: agent.keys.publicKey }),
    });
    expect(response.status).toBe(201);
  };

  beforeAll(async () => {
    azurite = await startAzurite();
    host = await startHostProcess(REPLIES_APP, {
      AzureWebJobsStorage: azurite.connectionString,
      QUIESCE_TABLE_PREFIX: 'Replies',
      QUIESCE_TASK_HUB: uniqueName('replies').replace(/-/g, ''),
    });
    replies = new QueueClient(azurite.connectionString, REPLY_QUEUE_NAME);
    await replies.createIfNotExists();
    await enroll(web1);
  }, 90_000);
  afterAll(async () => {
    await host.stop('SIGKILL');
    await azurite.stop();
  });

  it('raises a genuine pong on the instance it answers, which completes with it, and records it on the agent', async () => {
    const instanceId = await startWaiting('run-genuine', web1.vmId);
    const pong = sealPong('run-genuine');
    await replies.sendMessage(pong.wire);
    const [received] = await completed(instanceId);
    expect(received).toMatchObject({ id: pong.message.id, type: 'pong', vmId: web1.vmId, body: SAMPLE_PONG });
    const agent = (await (await fetch(`${host.url}/api/agents${web1.vmId}`)).json()) as Record<string, unknown>;
    expect(agent).toMatchObject({
      agentVersion: '1.2.0',
      os: { family: 'linux' },
      capabilities: SAMPLE_PONG.quiescers,
    });
    expect(agent.lastPongAt).toEqual(expect.any(String));
  });

  it('drops forged, unknown, expired and misdirected replies, each logged once with its reason; the instance waits on', async () => {
    const instanceId = await startWaiting('run-bad', web1.vmId);
    const stranger = { vmId: vmId('stranger-1'), keys: generateSigningKeyPair() };
    const bad = {
      'bad-signature': sealPong('run-bad', {}, { vmId: web1.vmId, keys: generateSigningKeyPair() }),
      'unknown-sender': sealPong('run-bad', { instanceId }, stranger),
      expired: sealPong('run-bad', { now: new Date(Date.now() - 20 * 60_000) }),
      'wrong-instance': sealPong('run-other', { instanceId }),
    };
    for (const sealed of Object.values(bad)) await replies.sendMessage(sealed.wire);
    await replies.sendMessage(Buffer.from('{"hello":"world"}').toString('base64'));
    for (const [reason, sealed] of Object.entries(bad)) await waitForDrop(reason, sealed.message.id);
    await host.waitForLog((r) => r.function === 'guestReplies' && r.msg.includes('(malformed)'));
    expect((await statusOf(instanceId)).runtimeStatus).toBe('Running');
    expect(host.logs.some((r) => r.function === 'guestReplies' && r.msg.includes('(Failed'))).toBe(false);

    const genuine = sealPong('run-bad');
    await replies.sendMessage(genuine.wire);
    expect((await completed(instanceId)).map((r) => r.id)).toEqual([genuine.message.id]);
  });

  it('drops a replayed reply, so an instance waiting for two pongs gets two different ones', async () => {
    const instanceId = await startWaiting('run-replay', web1.vmId, 2);
    const first = sealPong('run-replay');
    await replies.sendMessage(first.wire);
    await replies.sendMessage(first.wire);
    await waitForDrop('replayed', first.message.id);
    expect((await statusOf(instanceId)).runtimeStatus).toBe('Running');
    const second = sealPong('run-replay');
    await replies.sendMessage(second.wire);
    expect((await completed(instanceId)).map((r) => r.id)).toEqual([first.message.id, second.message.id]);
  });

  it('drops a genuine reply for an instance that does not exist', async () => {
    const orphan = sealPong('run-never-started');
    await replies.sendMessage(orphan.wire);
    await waitForDrop('instance-not-found', orphan.message.id);
  });

  it("delivers a real agent's pong to a ping sent with sendGuestCommand", async () => {
    const vm = await new AgentFixture({
      connectionString: azurite.connectionString,
      config: { queues: { replyQueue: REPLY_QUEUE_NAME } },
    }).setUp();
    try {
      await enroll({ vmId: vm.vmId, keys: vm.agentKeys });
      await vm.startAgent();
      const instanceId = await startWaiting('run-agent', vm.vmId);
      const commands = new QueueClient(azurite.connectionString, commandQueueName(vm.vmId));
      await commands.createIfNotExists();
      const sent = await sendGuestCommand(
        {
          vmId: vm.vmId,
          instanceId,
          runId: 'run-agent',
          command: { type: 'ping', body: { scripts: [] } },
          ttlSeconds: 60,
        },
        { serviceKey: vm.service.privateKey, queueFor: () => commands },
      );
      expect(sent.sent).toBe(true);
      const [pong] = await completed(instanceId);
      expect(pong).toMatchObject({ type: 'pong', vmId: vm.vmId, runId: 'run-agent', instanceId });
      expect((pong?.body as PongBody).quiescers.scripts.usable).toBe(true);
    } finally {
      await vm.tearDown();
    }
  });
});
