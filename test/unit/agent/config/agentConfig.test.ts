import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadAgentConfig } from '../../../../agent/config/agentConfig.js';
import { commandQueueName, generateSigningKeyPair } from '../../../../shared/protocol/index.js';

const VM = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/db-1';

describe('loadAgentConfig', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'quiesce-config-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads YAML, fills defaults, derives the command queue and resolves paths against the file', async () => {
    const file = path.join(dir, 'agent.yaml');
    await writeFile(
      file,
      [
        `vmId: ${VM}`,
        'auth: { kind: managedIdentity, queueServiceUrl: "https://acct.queue.core.windows.net" }',
        `servicePublicKey: ${generateSigningKeyPair().publicKey}`,
        'agentPrivateKeyFile: keys/agent.pem',
        'scriptsDirectory: scripts',
      ].join('\n'),
    );
    const config = await loadAgentConfig(file);
    expect(config).toMatchObject({
      queues: { commandQueue: commandQueueName(VM), replyQueue: 'quiesce-replies' },
      agentPrivateKeyFile: path.join(dir, 'keys/agent.pem'),
      scriptsDirectory: path.join(dir, 'scripts'),
      limits: { maxFrozenSeconds: 120 },
      polling: { idleIntervalMs: 5000, busyIntervalMs: 100 },
      fsfreeze: { enabled: true, lockFile: '/run/quiesce-agent/freeze.lock' },
    });
  });

  it('names the path of every problem', async () => {
    const file = path.join(dir, 'agent.json');
    await writeFile(
      file,
      JSON.stringify({
        vmId: VM,
        auth: { kind: 'managedIdentity', queueServiceUrl: 'http://insecure' },
        servicePublicKey: 'short',
        scriptsDirectory: 'scripts',
        limits: { maxFrozenSeconds: 9999 },
        queues: { replyQueue: 'Bad_Name' },
      }),
    );
    const error = (await loadAgentConfig(file).then(
      () => new Error('no error'),
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toContain('auth.queueServiceUrl:');
    expect(error.message).toContain('servicePublicKey:');
    expect(error.message).toContain('agentPrivateKeyFile:');
    expect(error.message).toContain('limits.maxFrozenSeconds:');
    expect(error.message).toContain('queues.replyQueue: not a valid queue name');
  });

  it('says when the file is not valid JSON', async () => {
    const file = path.join(dir, 'agent.json');
    await writeFile(file, '{ nope');
    await expect(loadAgentConfig(file)).rejects.toThrow(/is not valid JSON/);
  });
});
