import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadAgentConfig } from '../../../agent/config/agentConfig.js';
import {
  commandQueueName,
  generateSigningKeyPair,
  importPrivateKey,
  publicKeyOf,
} from '../../../shared/protocol/index.js';
import { AGENT_BUNDLE } from '../../support/agentFixture.js';
import { PROJECT_DIR } from '../../support/hostProcess.js';

const run = promisify(execFile);
const VM = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/app-1';

describe('infra/agent/install-linux.sh (dry run into a directory, no systemd)', () => {
  let root: string;
  beforeEach(async () => (root = await mkdtemp(path.join(os.tmpdir(), 'quiesce-install-'))));
  afterEach(() => rm(root, { recursive: true, force: true }));

  const install = () =>
    run(
      'sh',
      [
        path.join(PROJECT_DIR, 'infra/agent/install-linux.sh'),
        ...['--vm-id', VM, '--queue-service-url', 'https://acct.queue.core.windows.net'],
        ...[
          '--service-public-key',
          generateSigningKeyPair().publicKey,
          '--client-id',
          'client-1',
          '--bundle',
          AGENT_BUNDLE,
        ],
      ],
      { env: { ...process.env, QUIESCE_ROOT: root, QUIESCE_NO_SYSTEMD: '1' } },
    );

  it('writes a valid config and a private key, prints the public key and keeps the key on reinstall', async () => {
    const { stdout } = await install();
    const etc = path.join(root, 'etc/quiesce-agent');
    const keyFile = path.join(etc, 'agent.pem');
    const publicKey = publicKeyOf(importPrivateKey(await readFile(keyFile, 'utf8')));
    expect(stdout).toContain(`Command queue: ${commandQueueName(VM)}`);
    expect(stdout.trim().split('\n').at(-1)).toBe(publicKey);
    expect((await stat(keyFile)).mode & 0o077).toBe(0);
    // The freeze holder's small bundle goes beside the agent's, where the agent looks for it.
    expect((await stat(path.join(root, 'opt/quiesce-agent/quiesce-freeze-holder.mjs'))).size).toBeGreaterThan(1000);

    const config = await loadAgentConfig(path.join(etc, 'agent.yaml'));
    expect(config).toMatchObject({
      vmId: VM,
      auth: { kind: 'managedIdentity', queueServiceUrl: 'https://acct.queue.core.windows.net', clientId: 'client-1' },
      scriptsDirectory: path.join(etc, 'scripts'),
      fsfreeze: { excludeMounts: ['/mnt'] },
    });

    const again = await install();
    expect(again.stdout.trim().split('\n').at(-1)).toBe(publicKey);
  });
});
