import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { commandQueueName, generateSigningKeyPair } from '../../shared/protocol/index.js';
import { createLoopFilesystem, type LoopFilesystem, loopFilesystemUnavailable } from '../support/loopFilesystem.js';
import { FAST_AGENT_POLLING, type QuiesceStack, resultOf, startQuiesceStack } from '../support/quiesceStack.js';

const SUBSCRIPTION = '0d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e61';
const RG = 'rg-lin';
const loopUnavailable = loopFilesystemUnavailable();
if (loopUnavailable) console.warn(`Linux e2e: fsfreeze of a loop-mounted filesystem skipped: ${loopUnavailable}`);

interface SimSnapshot {
  name: string;
  sourceDiskId: string;
  pointInTime: string;
}

/** Linux VMs backed up end to end: the local host, Azurite, the ARM simulator and a real agent per VM. */
describe('Linux backups through the whole stack', () => {
  let stack: QuiesceStack;
  let loop: LoopFilesystem | undefined;
  const linuxOnly = { fsfreeze: { enabled: false } };
  const backupOne = (vm: string, guestProcessing: object = {}, extra: object = {}) =>
    stack.backup({ vmIds: [stack.vmId(RG, vm)], overrides: { guestProcessing, ...extra } });
  const snapshotsOf = async (runVmPrefix: string) =>
    ((await stack.sim.call('GET', '/_sim/snapshots')).body as { value: SimSnapshot[] }).value.filter((s) =>
      s.name.startsWith(runVmPrefix),
    );

  const consistencyTags = async (runId: string, vm: string) => {
    const compute = stack.sim.compute();
    const tags: string[] = [];
    for await (const snapshot of compute.snapshots.listByResourceGroup(RG))
      if (snapshot.tags?.['quiesce-run'] === runId && snapshot.tags['quiesce-vm'] === vm)
        tags.push(snapshot.tags['quiesce-consistency'] ?? 'none');
    return tags;
  };

  beforeAll(async () => {
    const scripts = await mkdtemp(path.join(os.tmpdir(), 'quiesce-e2e-scripts-'));
    const script = async (name: string, body: string) => {
      await writeFile(path.join(scripts, name), `#!/bin/sh\n${body}\n`);
      await chmod(path.join(scripts, name), 0o755);
    };
    await script('freeze.sh', 'echo "flushing $1"');
    await script('thaw.sh', 'echo resumed');
    await script('fail.sh', 'echo "database offline: cannot flush" >&2\nexit 3');
    loop = loopUnavailable ? undefined : await createLoopFilesystem();
    const agent = (settings: object = {}, extra: object = {}) => ({
      installed: true,
      scriptsDir: scripts,
      settings: { polling: { ...FAST_AGENT_POLLING, jitter: 0 }, ...settings },
      ...extra,
    });
    const disks = { os: { sizeGB: 30 }, data: [{ sizeGB: 64 }] };
    const vm = (name: string, extra: object) => ({ name, resourceGroup: RG, os: 'linux', disks, ...extra });
    stack = await startQuiesceStack({
      subscriptionId: SUBSCRIPTION,
      vms: [
        vm('app-1', { agent: agent({}, loop ? { freezeMounts: [loop.mountPoint] } : {}) }),
        vm('fail-1', { agent: agent() }),
        vm('plain-1', { agent: agent() }),
        vm('down-1', { powerState: 'deallocated', agent: { installed: false } }),
        vm('bare-1', { agent: { installed: false } }),
        vm('mute-1', {
          agent: { installed: false },
          nic: {
            rules: [
              {
                name: 'deny-outbound-all',
                priority: 100,
                direction: 'Outbound',
                access: 'Deny',
                protocol: 'All',
                destinationAddressPrefix: '*',
              },
            ],
          },
        }),
        vm('snapfail-1', { agent: agent() }),
        vm('storm-1', { agent: agent() }),
        // Polls its command queue only every 5 s while frozen: the thaw command comes after its 2 s watchdog.
        vm('slow-1', {
          agent: agent({ polling: { frozenIntervalMs: 5000, busyIntervalMs: 5000, idleIntervalMs: 100, jitter: 0 } }),
        }),
      ],
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await loop?.destroy();
  });

  it('proves an application-consistent backup: pre-script, fsfreeze, every snapshot taken inside the freeze', async () => {
    const run = await backupOne('app-1', {
      linux: {
        preScript: { path: 'freeze.sh', args: ['orders'] },
        postScript: { path: 'thaw.sh' },
        fsfreeze: loop ? { enabled: true, mounts: [loop.mountPoint] } : { enabled: false },
      },
    });
    expect(run.status).toBe('Success');
    const result = resultOf(run, 'app-1');
    expect(result.consistency).toBe('application-consistent');
    expect(result.reason).toBe(
      `Application-consistent: the pre-snapshot script succeeded${loop ? ' and the filesystems were frozen' : ''}; all 2 disk snapshot(s) were taken while the guest was quiesced.`,
    );
    expect(result.evidence.agent.thawed?.thawReason).toBe('command');
    expect(result.freezeWindowMs).toBeGreaterThan(0);
    expect(result.snapshots.map((s) => s.disk).sort()).toEqual(['app-1-datadisk-0', 'app-1-osdisk']);

    const frozen = result.evidence.agent.frozen as { frozenAt: string; fsfreeze?: { mounts: string[] } };
    const thawedAt = (result.evidence.agent.thawed as unknown as { thawedAt: string }).thawedAt;
    if (loop) expect(frozen.fsfreeze?.mounts).toEqual([loop.mountPoint]);
    const snapshots = await snapshotsOf('qz-app-1-');
    expect(snapshots).toHaveLength(2);
    for (const snapshot of snapshots) {
      expect(Date.parse(snapshot.pointInTime)).toBeGreaterThanOrEqual(Date.parse(frozen.frozenAt));
      expect(Date.parse(snapshot.pointInTime)).toBeLessThanOrEqual(Date.parse(thawedAt));
    }
    expect(await consistencyTags(run.runId, 'app-1')).toEqual(['application-consistent', 'application-consistent']);
  });

  it('is crash-consistent with guest processing off, and says so', async () => {
    const run = await backupOne('plain-1', { enabled: false });
    const result = resultOf(run, 'plain-1');
    expect(result.consistency).toBe('crash-consistent');
    expect(result.reason).toBe('Crash-consistent: guest processing is off for this VM.');
    expect(result.evidence.agent.frozen).toBeUndefined();
    expect(result.snapshots.filter((s) => s.snapshotId)).toHaveLength(2);
    expect(run.status).toBe('Success');
    // Known before they were taken, so tagged at creation: no PATCH (an ARM write) afterwards.
    expect(await consistencyTags(run.runId, 'plain-1')).toEqual(['crash-consistent', 'crash-consistent']);
    expect(result.evidence.timings.tagging).toBeUndefined();
  });

  it('snapshots a deallocated VM at rest and reports it as not running', async () => {
    const run = await backupOne('down-1');
    const result = resultOf(run, 'down-1');
    expect(result.consistency).toBe('not-running');
    expect(result.snapshots.filter((s) => s.snapshotId)).toHaveLength(2);
    expect(run.status).toBe('Warning');
  });

  it('goes on crash-consistent when no agent is installed, saying why', async () => {
    const result = resultOf(await backupOne('bare-1', { linux: linuxOnly }), 'bare-1');
    expect(result.consistency).toBe('crash-consistent');
    expect(result.reason).toBe(
      'Crash-consistent: no Quiesce agent is enrolled for this VM (install it and run `quiesce agents enroll`).',
    );
  });

  it('names the NSG rule when an enrolled agent does not answer its ping', async () => {
    const vmId = stack.vmId(RG, 'mute-1');
    expect((await stack.api('POST', 'agents', { vmId, publicKey: generateSigningKeyPair().publicKey })).status).toBe(
      201,
    );
    const result = resultOf(await backupOne('mute-1', { linux: linuxOnly, ackTimeoutSeconds: 2 }), 'mute-1');
    expect(result.consistency, result.reason).toBe('crash-consistent');
    expect(result.reason).toMatch(
      /^Crash-consistent: the agent's command queue qz-mute-1-\w+ does not exist \(the agent has never started on this VM\); NSG rule deny-outbound-all .*443.*Storage/,
    );

    // An agent that started once (its queue exists) and went silent.
    await new QueueClient(stack.azurite.connectionString, commandQueueName(vmId)).create();
    const silent = resultOf(await backupOne('mute-1', { linux: linuxOnly, ackTimeoutSeconds: 2 }), 'mute-1');
    expect(silent.reason).toMatch(
      /^Crash-consistent: the agent did not answer ping within 2 s; NSG rule deny-outbound-all .*443.*Storage/,
    );
  });

  for (const [action, consistency, snapshots] of [
    ['fail', 'failed', 0],
    ['continue', 'crash-consistent', 2],
    ['skip', 'skipped', 0],
  ] as const) {
    it(`acts on a failing pre-snapshot script as the policy says: ${action}`, async () => {
      const run = await backupOne('fail-1', {
        linux: { ...linuxOnly, preScript: { path: 'fail.sh', onFailure: action, retries: 1 } },
      });
      const result = resultOf(run, 'fail-1');
      expect(result.consistency).toBe(consistency);
      expect(result.reason).toContain(
        'pre-snapshot script fail.sh exited 3: database offline: cannot flush (2 attempts)',
      );
      expect(result.snapshots.filter((s) => s.snapshotId)).toHaveLength(snapshots);
      // The freeze was attempted, so the thaw followed: the agent confirms nothing is held.
      expect(result.evidence.agent.thawed?.thawReason).toBeDefined();
    });
  }

  it('thaws the guest when a disk snapshot fails after the freeze, and fails the VM', async () => {
    const fault = await stack.sim.call('POST', '/_sim/faults', {
      match: { method: 'PUT', path: 'snapshots/qz-snapfail-1-snapfail-1-datadisk-0' },
      action: { kind: 'failOperation', code: 'InternalDiskManagementError' },
    });
    expect(fault.status).toBe(201);
    const run = await backupOne('snapfail-1', { linux: { ...linuxOnly, preScript: { path: 'freeze.sh' } } });
    const result = resultOf(run, 'snapfail-1');
    expect(run.status).toBe('Failed');
    expect(result.consistency).toBe('failed');
    expect(result.reason).toMatch(
      /^Failed: the snapshot of snapfail-1-datadisk-0 \(.*InternalDiskManagementError.*\) did not succeed\.$/,
    );
    expect(result.evidence.agent.thawed?.thawReason).toBe('command');
  });

  it('rides out an ARM 429 storm on the snapshot PUTs (Retry-After honoured) and stays consistent', async () => {
    const fault = (await stack.sim.call('POST', '/_sim/faults', {
      match: { method: 'PUT', path: 'snapshots/qz-storm-1-' },
      action: { kind: 'error', status: 429, code: 'TooManyRequests', retryAfterSeconds: 1 },
      count: 2,
    })) as { body: { id: string } };
    const run = await backupOne('storm-1', { linux: { ...linuxOnly, preScript: { path: 'freeze.sh' } } });
    const result = resultOf(run, 'storm-1');
    expect(result.consistency).toBe('application-consistent');
    const rules = (await stack.sim.call('GET', '/_sim/faults')).body as { value: { id: string; applied: number }[] };
    expect(rules.value.find((r) => r.id === fault.body.id)?.applied).toBe(2);
  });

  it("downgrades the verdict when the agent's watchdog thawed before the thaw command came", async () => {
    const run = await backupOne('slow-1', {
      maxFrozenSeconds: 2,
      linux: { ...linuxOnly, preScript: { path: 'freeze.sh' } },
    });
    const result = resultOf(run, 'slow-1');
    expect(result.consistency).toBe('crash-consistent');
    expect(result.reason).toMatch(
      /^Crash-consistent: the agent's watchdog thawed the guest after 2(\.\d)? s before the thaw command came/,
    );
    expect(result.evidence.agent.thawed?.thawReason).toBe('deadline');
    expect(run.status).toBe('Warning');
  });
});
