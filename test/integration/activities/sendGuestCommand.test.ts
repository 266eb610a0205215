import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { sendGuestCommand } from '../../../activities/sendGuestCommand.js';
import { AgentFixture, type AgentProcess } from '../../support/agentFixture.js';

/** sendGuestCommand against a real agent process: what the service sends is what the agent acts on, once. */
describe('sendGuestCommand', () => {
  let vm: AgentFixture;
  let agent: AgentProcess;
  const deps = () => ({ serviceKey: vm.service.privateKey, queueFor: () => vm.commands });

  beforeAll(async () => {
    vm = await new AgentFixture({ connectionString: inject('azuriteConnectionString') }).setUp();
    agent = await vm.startAgent();
  });
  afterAll(() => vm.tearDown());

  it('signs a ping with the service key; the agent verifies it and answers for this run', async () => {
    const output = await sendGuestCommand(
      {
        vmId: vm.vmId,
        instanceId: 'vm-run-1',
        runId: 'run-1',
        command: { type: 'ping', body: { scripts: [] } },
        ttlSeconds: 60,
      },
      deps(),
    );
    expect(output).toMatchObject({ sent: true, queue: vm.commandQueue });
    const pong = await vm.waitForReply('pong', (r) => r.runId === 'run-1');
    expect(pong.instanceId).toBe('vm-run-1');
  });

  it('sends a retried command with the same id only to have the agent drop the duplicate', async () => {
    const input = {
      vmId: vm.vmId,
      instanceId: 'vm-run-2',
      runId: 'run-2',
      command: { type: 'ping' as const, body: { scripts: [] } },
      commandId: 'cmd-run-2-ping-0001',
      ttlSeconds: 60,
    };
    await sendGuestCommand(input, deps());
    await sendGuestCommand(input, deps());
    await vm.waitForReply('pong', (r) => r.runId === 'run-2');
    await agent.waitForLog((r) => JSON.stringify(r).includes('replayed'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await vm.readReplies();
    expect(vm.received.filter((r) => r.runId === 'run-2')).toHaveLength(1);
  });

  it('refuses a command too big for a queue message, enqueuing nothing', async () => {
    const huge = Array.from({ length: 32 }, () => 'x'.repeat(1024));
    const before = await vm.commandQueueLength();
    const output = await sendGuestCommand(
      {
        vmId: vm.vmId,
        instanceId: 'vm-run-3',
        runId: 'run-3',
        command: {
          type: 'freeze',
          body: {
            maxFrozenSeconds: 10,
            preScript: { name: 'a.sh', args: huge, timeoutSeconds: 5, ignoreMissing: false },
            postScript: { name: 'b.sh', args: huge, timeoutSeconds: 5, ignoreMissing: false },
          },
        },
        ttlSeconds: 60,
      },
      deps(),
    );
    expect(output).toMatchObject({ sent: false, reason: 'oversized' });
    expect('wireBytes' in output && output.wireBytes).toBeGreaterThan(64 * 1024);
    expect(await vm.commandQueueLength()).toBe(before);
  });
});
