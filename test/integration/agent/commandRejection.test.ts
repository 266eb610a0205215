import { sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { generateSigningKeyPair, sealCommand, signedBytes } from '../../../shared/protocol/index.js';
import { AgentFixture, type AgentProcess } from '../../support/agentFixture.js';
import { eventually } from '../../support/hostProcess.js';

describe('commands the agent must not act on', () => {
  let vm: AgentFixture;
  let agent: AgentProcess;
  let marker: string;
  const freezeBody = () => ({ maxFrozenSeconds: 5, preScript: { name: 'touch.sh', timeoutSeconds: 5 } });

  beforeAll(async () => {
    vm = new AgentFixture({ connectionString: inject('azuriteConnectionString') });
    await vm.setUp();
    marker = path.join(vm.dir, 'ran.txt');
    await vm.writeScript('touch.sh', `#!/bin/sh\necho ran >> ${marker}\n`);
    agent = await vm.startAgent();
  });
  afterAll(() => vm.tearDown());

  const rejections = (reason: string) =>
    agent.logs.filter((l) => (l.rejected as { reason?: string } | undefined)?.reason === reason);

  async function expectRejected(reason: string, enqueue: () => Promise<unknown>) {
    const before = rejections(reason).length;
    await enqueue();
    await agent.waitForLog(() => rejections(reason).length > before);
    expect(
      await eventually(
        () => vm.commandQueueLength(),
        (n) => n === 0,
      ),
    ).toBe(0);
  }

  /** A freeze for this VM, edited and re-signed with `key`. */
  function freezeWire(edit: (m: Record<string, unknown>) => void = () => {}, key = vm.service.privateKey): string {
    const sealed = sealCommand(
      { type: 'freeze', vmId: vm.vmId, instanceId: 'i', runId: 'r', ttlMs: 60_000, body: freezeBody() },
      key,
    );
    if (!sealed.ok) throw new Error('oversized');
    const message = JSON.parse(Buffer.from(sealed.wire, 'base64').toString('utf8')) as Record<string, unknown>;
    edit(message);
    delete message.sig;
    message.sig = sign(null, signedBytes(message), key).toString('base64');
    return Buffer.from(JSON.stringify(message)).toString('base64');
  }

  it('rejects a forged signature', () =>
    expectRejected('bad-signature', () => vm.sendRaw(freezeWire(() => {}, generateSigningKeyPair().privateKey))));

  it("rejects another VM's command", () =>
    expectRejected('wrong-vm', () => vm.sendRaw(freezeWire((m) => (m.vmId = `${vm.vmId}-other`)))));

  it('rejects an expired command', () =>
    expectRejected('expired', () =>
      vm.sendRaw(
        freezeWire((m) => {
          m.issuedAt = new Date(Date.now() - 600_000).toISOString();
          m.expiresAt = new Date(Date.now() - 300_000).toISOString();
        }),
      ),
    ));

  it('rejects malformed messages: not base64, not JSON, missing fields, a bad body', async () => {
    await expectRejected('malformed', () => vm.sendRaw('this is not base64!'));
    await expectRejected('malformed', () => vm.sendRaw(Buffer.from('{"v":1,').toString('base64')));
    await expectRejected('malformed', () => vm.sendRaw(freezeWire((m) => delete m.runId)));
    await expectRejected('malformed', () => vm.sendRaw(freezeWire((m) => (m.body = { maxFrozenSeconds: 'forever' }))));
  });

  it('rejects an unknown type', () =>
    expectRejected('unknown-type', () => vm.sendRaw(freezeWire((m) => (m.type = 'exec')))));

  it('acts on a command once and rejects its replay', async () => {
    const ping = freezeWire((m) => {
      m.type = 'ping';
      m.body = {};
    });
    await vm.sendRaw(ping);
    await vm.waitForReply('pong');
    await expectRejected('replayed', () => vm.sendRaw(ping));
  });

  it('never enqueues an oversized message: the queue service refuses more than 64 KiB', async () => {
    await expect(vm.sendRaw('A'.repeat(64 * 1024 + 4))).rejects.toMatchObject({ statusCode: 413 });
  });

  it('ran nothing for any rejected command and is still alive and answering', async () => {
    expect(await readFile(marker, 'utf8').catch(() => 'nothing ran')).toBe('nothing ran');
    expect(vm.received.filter((r) => r.type !== 'pong')).toEqual([]);
    await vm.send('ping', {}, { runId: 'still-alive' });
    expect((await vm.waitForReply('pong', (r) => r.runId === 'still-alive')).runId).toBe('still-alive');
    expect(agent.child.exitCode).toBeNull();
  });
});
