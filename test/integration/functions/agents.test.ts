import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateSigningKeyPair } from '../../../shared/protocol/index.js';
import { PROJECT_DIR } from '../../support/hostProcess.js';
import { type QuiesceHost, startQuiesceHost } from '../../support/quiesceHost.js';

const CLI = path.join(PROJECT_DIR, 'dist/cli/quiesce.js');
const vmId = (name: string) =>
  `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/${name}`;
const agentUrl = (host: QuiesceHost, id: string) => `${host.url}/api/agents${id}`;

interface AgentBody {
  vmId: string;
  publicKey: string;
  enrolledAt: string;
  lastPongAt?: string;
}

describe('the agents API and `quiesce agents`, through the local host and Azurite', () => {
  let host: QuiesceHost;
  const enroll = (body: unknown) => fetch(`${host.url}/api/agents`, { method: 'POST', body: JSON.stringify(body) });
  const quiesce = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, '--api', host.url, ...args], { encoding: 'utf8' });
  const listed = async () => ((await (await fetch(`${host.url}/api/agents`)).json()) as { agents: AgentBody[] }).agents;

  beforeAll(async () => {
    host = await startQuiesceHost();
  });
  afterAll(() => host.stop('SIGKILL'));

  it('enrolls an agent (201), then answers 200 when its key is replaced, and serves it at its VM id', async () => {
    const first = generateSigningKeyPair();
    const created = await enroll({ vmId: vmId('web-1'), publicKey: first.publicKey });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ vmId: vmId('web-1'), publicKey: first.publicKey });
    expect(created.headers.get('location')).toBe(`/api/agents${vmId('web-1')}`);

    const rotated = generateSigningKeyPair();
    const replaced = await enroll({ vmId: vmId('web-1'), publicKey: rotated.publicKey });
    expect(replaced.status).toBe(200);
    const one = await fetch(agentUrl(host, vmId('web-1').toUpperCase().replace('/SUBSCRIPTIONS', '/subscriptions')));
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ vmId: vmId('web-1'), publicKey: rotated.publicKey });
  });

  it('normalises a base64 key to base64url', async () => {
    const keys = generateSigningKeyPair();
    const standard = Buffer.from(keys.publicKey, 'base64url').toString('base64');
    const response = await enroll({ vmId: vmId('web-2'), publicKey: standard });
    expect(((await response.json()) as AgentBody).publicKey).toBe(keys.publicKey);
  });

  it('answers 400 with the zod issues for a bad key or VM id, and enrolls nothing', async () => {
    const response = await enroll({ vmId: 'web-3', publicKey: 'c2hvcnQ' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; issues: { path: string[]; message: string }[] } };
    expect(body.error.code).toBe('InvalidRequest');
    expect(body.error.issues.map((i) => i.path.join('.')).sort()).toEqual(['publicKey', 'vmId']);
    expect(body.error.issues.find((i) => i.path[0] === 'publicKey')?.message).toContain('Ed25519');
    expect((await listed()).map((a) => a.vmId)).not.toContain('web-3');
  });

  it('answers 404 for a VM without an agent, to GET and DELETE', async () => {
    expect((await fetch(agentUrl(host, vmId('nobody')))).status).toBe(404);
    expect((await fetch(agentUrl(host, vmId('nobody')), { method: 'DELETE' })).status).toBe(404);
  });

  it('enrolls, lists and removes agents with the CLI', async () => {
    const keys = generateSigningKeyPair();
    const enrolled = quiesce('agents', 'enroll', '--vm-id', vmId('db-1'), '--public-key', keys.publicKey);
    expect(enrolled.stderr).toBe('');
    expect(enrolled.stdout).toBe('agent/db-1 enrolled\n');
    const list = quiesce('agents', 'list');
    expect(list.stdout.split('\n')[0]).toMatch(/^VM\s+ENROLLED\s+LAST PONG\s+VERSION\s+OS\s+QUIESCERS$/);
    expect(list.stdout).toMatch(/db-1\s+\S+Z\s+never\s+-\s+-\s+-/);
    const shown = JSON.parse(quiesce('--json', 'agents', 'show', '--vm-id', vmId('db-1')).stdout) as AgentBody;
    expect(shown.publicKey).toBe(keys.publicKey);

    const removed = quiesce('agents', 'remove', '--vm-id', vmId('db-1'));
    expect(removed.stdout).toBe('agent/db-1 removed\n');
    expect((await listed()).map((a) => a.vmId)).not.toContain(vmId('db-1'));
    const again = quiesce('agents', 'remove', '--vm-id', vmId('db-1'));
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('No agent is enrolled');
  });

  it('prints the validation issues and exits 1 for a bad key', () => {
    const result = quiesce('agents', 'enroll', '--vm-id', vmId('db-2'), '--public-key', 'not-a-key');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('  - publicKey: must be a raw Ed25519 public key');
  });

  it('imports every agent of a fleet enrollment file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'quiesce-enrollment-'));
    const file = path.join(dir, 'enrollment.json');
    const fleet = ['lin-1', 'win-1'].map((name) => ({
      vmId: vmId(name),
      name,
      os: 'linux',
      publicKey: generateSigningKeyPair().publicKey,
      commandQueue: `qz-${name}`,
      pid: 1,
    }));
    await writeFile(file, JSON.stringify(fleet));
    const imported = quiesce('agents', 'import', file);
    expect(imported.stdout).toBe(`agent/lin-1 enrolled\nagent/win-1 enrolled\n2 agents enrolled from ${file}\n`);
    const agents = await listed();
    for (const entry of fleet)
      expect(agents).toContainEqual(expect.objectContaining({ vmId: entry.vmId, publicKey: entry.publicKey }));
  });
});
