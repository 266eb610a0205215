import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  importPrivateKey,
  importPublicKey,
  openReply,
  type PongBody,
  ReplayGuard,
  sealCommand,
} from '../../../shared/protocol/index.js';
import { type ArmSimProcess, FAST_SIMULATOR, startArmSim } from '../../support/armSimProcess.js';
import { eventually, uniqueName } from '../../support/hostProcess.js';

interface Enrollment {
  vmId: string;
  name: string;
  os: string;
  publicKey: string;
  commandQueue: string;
  pid: number;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `arm-sim --agents`: one real agent process per simulated VM, answering the service over Azurite queues. */
describe('the fleet with real agents', () => {
  const connectionString = inject('azuriteConnectionString');
  const replyQueue = uniqueName('replies');
  const replies = new QueueClient(connectionString, replyQueue);
  let sim: ArmSimProcess;
  let enrollments: Enrollment[];

  beforeAll(async () => {
    const scripts = await mkdtemp(path.join(os.tmpdir(), 'fleet-scripts-'));
    await mkdir(path.join(scripts, 'app'));
    await writeFile(path.join(scripts, 'app', 'flush.sh'), '#!/bin/sh\necho flushed\n');
    await chmod(path.join(scripts, 'app', 'flush.sh'), 0o755);
    const agent = (extra: object) => ({
      installed: true,
      scriptsDir: scripts,
      settings: { queues: { replyQueue }, polling: { busyIntervalMs: 50, idleIntervalMs: 200 } },
      ...extra,
    });
    const disks = { os: { sizeGB: 30 } };
    sim = await startArmSim(
      {
        subscriptionId: '6b1c3a52-5f0e-4d8e-9a44-2f1c0b7e8d12',
        simulator: FAST_SIMULATOR,
        vms: [
          { name: 'lin-1', resourceGroup: 'rg', os: 'linux', disks, agent: agent({}) },
          { name: 'win-1', resourceGroup: 'rg', os: 'windows', disks, agent: agent({}) },
          { name: 'bare-1', resourceGroup: 'rg', os: 'linux', disks, agent: { installed: false } },
        ],
      },
      ['--agents', '--storage', connectionString],
    );
    enrollments = JSON.parse(await readFile(String(sim.ready.enrollmentPath), 'utf8')) as Enrollment[];
  });
  afterAll(() => sim.stop());

  it('starts one agent process for each VM whose agent is installed, and enrolls it', () => {
    expect(sim.ready.agents).toBe(2);
    expect(enrollments.map((e) => [e.name, e.os])).toEqual([
      ['lin-1', 'linux'],
      ['win-1', 'windows'],
    ]);
    for (const enrollment of enrollments) expect(isAlive(enrollment.pid)).toBe(true);
  });

  it('answers a ping signed with the fleet service key, each agent as its own OS and signed with its own key', async () => {
    const serviceKey = importPrivateKey(await readFile(String(sim.ready.serviceKeyPath), 'utf8'));
    const replayGuard = new ReplayGuard();
    const pongs = new Map<string, PongBody>();
    for (const enrollment of enrollments) {
      const sealed = sealCommand(
        {
          type: 'ping',
          vmId: enrollment.vmId,
          instanceId: 'test',
          runId: 'run-1',
          body: { scripts: ['app/flush.sh'] },
          ttlMs: 60_000,
        },
        serviceKey,
      );
      if (!sealed.ok) throw new Error('ping too large');
      await new QueueClient(connectionString, enrollment.commandQueue).sendMessage(sealed.wire);
    }
    await eventually(
      async () => {
        if (!(await replies.exists())) return pongs.size;
        const { receivedMessageItems } = await replies.receiveMessages({ numberOfMessages: 32 });
        for (const item of receivedMessageItems) {
          const opened = openReply(item.messageText, {
            publicKeyFor: (vmId) => {
              const key = enrollments.find((e) => e.vmId === vmId)?.publicKey;
              return key ? importPublicKey(key) : undefined;
            },
            replayGuard,
          });
          if (opened.ok && opened.message.type === 'pong') pongs.set(opened.message.vmId, opened.message.body);
          await replies.deleteMessage(item.messageId, item.popReceipt);
        }
        return pongs.size;
      },
      (size) => size === 2,
    );
    const [linux, windows] = enrollments.map((e) => pongs.get(e.vmId));
    expect(linux).toMatchObject({
      os: { family: 'linux' },
      quiescers: { fsfreeze: { usable: false }, vss: { usable: false } },
      scripts: [{ name: 'app/flush.sh', exists: true }],
    });
    expect(windows).toMatchObject({ os: { family: 'windows' }, quiescers: { vss: { usable: true } } });
  });

  it('stops every agent with the simulator', async () => {
    await sim.stop();
    await eventually(
      () => Promise.resolve(enrollments.filter((e) => isAlive(e.pid)).length),
      (alive) => alive === 0,
      10_000,
    );
    expect(enrollments.filter((e) => isAlive(e.pid))).toEqual([]);
  });
});
