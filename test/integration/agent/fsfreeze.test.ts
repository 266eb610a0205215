import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';

import { readFreezeLock } from '../../../agent/fsfreeze/freezeLock.js';
import { AGENT_BUNDLE, AgentFixture } from '../../support/agentFixture.js';
import { eventually } from '../../support/hostProcess.js';
import {
  createLoopFilesystem,
  type LoopFilesystem,
  loopFilesystemUnavailable,
  processState,
} from '../../support/loopFilesystem.js';

const unavailable = loopFilesystemUnavailable();
if (unavailable) console.warn(`Skipping the fsfreeze tests: ${unavailable}.`);

describe.skipIf(unavailable !== undefined)('fsfreeze on a loop-mounted ext4 image', () => {
  let loop: LoopFilesystem;
  let lockFile: string;
  const children: ChildProcess[] = [];

  /** A process writing a file on the image; it blocks in the kernel (state D) while the filesystem is frozen. */
  function startWrite(name = 'data.txt'): { child: ChildProcess; exited: Promise<number | null> } {
    const child = spawn('sh', ['-c', `echo written > ${path.join(loop.mountPoint, name)}`], { stdio: 'ignore' });
    children.push(child);
    return { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  }
  const blocked = (child: ChildProcess) =>
    eventually(
      () => processState(child.pid ?? 0),
      (state) => state === 'D',
    );

  function startHolder(deadlineMs: number) {
    const spec = { mounts: [loop.mountPoint], deadlineMs, binary: 'fsfreeze', lockFile };
    const child = spawn(process.execPath, [AGENT_BUNDLE, '__hold-freeze', JSON.stringify(spec)], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    children.push(child);
    const events: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout }).on('line', (line) =>
      events.push(JSON.parse(line) as Record<string, unknown>),
    );
    const event = (name: string) =>
      eventually(
        () => Promise.resolve(events.find((e) => e.event === name)),
        (e) => e !== undefined,
      );
    return { child, events, event };
  }

  beforeEach(async () => {
    loop = await createLoopFilesystem();
    lockFile = path.join(loop.dir, 'run/freeze.lock');
  });
  afterEach(async () => {
    // Thaw before anything else: writers blocked on the frozen image cannot even be killed until then.
    const lock = await readFreezeLock(lockFile);
    await loop.destroy();
    if (lock) spawn('kill', ['-9', String(lock.pid)]).on('error', () => {});
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('holder: a write blocks while frozen and completes after thaw; a second freeze is refused by the lock', async () => {
    const holder = startHolder(60_000);
    expect(await holder.event('frozen')).toMatchObject({ mounts: [loop.mountPoint] });
    const write = startWrite();
    expect(await blocked(write.child)).toBe('D');

    const second = startHolder(60_000);
    expect(await second.event('freeze-failed')).toMatchObject({ code: 'FSFREEZE_ALREADY_HELD' });

    holder.child.stdin?.write('thaw\n');
    expect(await holder.event('thawed')).toMatchObject({ reason: 'command', errors: [] });
    expect(await write.exited).toBe(0);
    expect(await readFile(path.join(loop.mountPoint, 'data.txt'), 'utf8')).toBe('written\n');
    expect(existsSync(lockFile)).toBe(false);
  });

  it('holder: thaws on its own deadline while its agent is still connected', async () => {
    const holder = startHolder(1000);
    await holder.event('frozen');
    const write = startWrite();
    expect(await holder.event('thawed')).toMatchObject({ reason: 'deadline' });
    expect(await write.exited).toBe(0);
  });

  describe('through a real agent', () => {
    let vm: AgentFixture;
    beforeEach(async () => {
      vm = new AgentFixture({
        connectionString: inject('azuriteConnectionString'),
        scripts: { 'pre.sh': '#!/bin/sh\necho pre\n', 'post.sh': '#!/bin/sh\necho post\n' },
        config: { fsfreeze: { lockFile }, limits: { holderGraceSeconds: 1 } },
      });
      await vm.setUp();
    });
    afterEach(() => vm.tearDown());

    const freeze = (maxFrozenSeconds: number) =>
      vm.send('freeze', {
        maxFrozenSeconds,
        preScript: { name: 'pre.sh', timeoutSeconds: 10 },
        postScript: { name: 'post.sh', timeoutSeconds: 10 },
        fsfreeze: { mounts: [loop.mountPoint] },
      });

    it('freezes the image, holds its own logs while frozen, thaws on command and runs the post-script', async () => {
      const agent = await vm.startAgent();
      await freeze(60);
      const frozen = await vm.waitForReply('frozen');
      expect(frozen.body.fsfreeze).toMatchObject({ mounts: [loop.mountPoint] });
      const write = startWrite();
      expect(await blocked(write.child)).toBe('D');
      expect(agent.logs.some((l) => l.msg === 'frozen')).toBe(false);

      await vm.send('thaw', {});
      expect((await vm.waitForReply('thawed')).body).toMatchObject({
        thawReason: 'command',
        errors: [],
        postScript: { status: 'succeeded' },
      });
      expect(await write.exited).toBe(0);
      await agent.waitForLog((l) => l.msg === 'frozen');
    });

    it('thaws the image at maxFrozenSeconds without a thaw command and reports deadline', async () => {
      await vm.startAgent();
      await freeze(1);
      await vm.waitForReply('frozen');
      const write = startWrite();
      expect((await vm.waitForReply('thawed')).body).toMatchObject({
        thawReason: 'deadline',
        postScript: { status: 'succeeded' },
      });
      expect(await write.exited).toBe(0);
    });

    it('thaws the image itself and reports holder-exited when the freeze holder is killed outright', async () => {
      await vm.startAgent();
      await freeze(30);
      await vm.waitForReply('frozen');
      const write = startWrite();
      expect(await blocked(write.child)).toBe('D');
      const lock = await readFreezeLock(lockFile);
      process.kill(lock?.pid ?? 0, 'SIGKILL');
      expect(await write.exited).toBe(0);
      expect((await vm.waitForReply('thawed')).body).toMatchObject({
        thawReason: 'holder-exited',
        postScript: { status: 'succeeded' },
      });
    });

    it('the holder thaws at its own deadline while the agent hangs (SIGSTOP)', async () => {
      const agent = await vm.startAgent();
      await freeze(1);
      await vm.waitForReply('frozen');
      const write = startWrite();
      agent.child.kill('SIGSTOP');
      try {
        expect(await write.exited).toBe(0);
      } finally {
        agent.child.kill('SIGCONT');
      }
      expect((await vm.waitForReply('thawed')).body.thawReason).toBe('deadline');
    });

    it('the image is thawed when the agent is killed with SIGKILL while frozen', async () => {
      const agent = await vm.startAgent();
      await freeze(30);
      await vm.waitForReply('frozen');
      const write = startWrite();
      expect(await blocked(write.child)).toBe('D');
      await agent.stop('SIGKILL');
      expect(await write.exited).toBe(0);
      expect(
        await eventually(
          () => Promise.resolve(existsSync(lockFile)),
          (held) => !held,
        ),
      ).toBe(false);
    });
  });
});
