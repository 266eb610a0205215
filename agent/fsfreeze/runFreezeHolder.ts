import { createInterface } from 'node:readline';

import { acquireFreezeLock, releaseFreezeLock } from './freezeLock.js';
import { fsfreezeCall } from './fsfreezeCall.js';
import { type HolderEvent, type HolderSpec } from './holderProtocol.js';

const THAW_CALL_TIMEOUT_MS = 10_000;

function emit(event: HolderEvent): void {
  // The agent may be gone; a broken pipe must not stop the thaw.
  try {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  } catch {
    // ignored
  }
}

async function thawAll(spec: HolderSpec, mounts: readonly string[]): Promise<string[]> {
  const errors: string[] = [];
  for (const mount of [...mounts].reverse()) {
    const result = await fsfreezeCall(spec.binary, 'thaw', mount, THAW_CALL_TIMEOUT_MS);
    if (!result.ok && !result.notFrozen) errors.push(result.message);
  }
  return errors;
}

/**
 * The freeze holder: a small process of its own (spawned detached) that freezes the mounts in order and thaws them in
 * reverse when the agent says `thaw` on stdin, when its own deadline passes, when stdin closes because the agent died,
 * or on a termination signal. It writes nothing to any filesystem while the mounts are frozen (its lock is on tmpfs).
 */
export async function runFreezeHolder(spec: HolderSpec): Promise<number> {
  process.stdout.on('error', () => {});
  const lockContent = { pid: process.pid, mounts: spec.mounts, frozenAt: new Date().toISOString() };
  let lock = await acquireFreezeLock(spec.lockFile, lockContent);
  if (!lock.ok && 'stale' in lock) {
    // A holder was killed outright (SIGKILL, OOM) and left its lock: its mounts may still be frozen.
    await thawAll(spec, lock.stale.mounts);
    await releaseFreezeLock(spec.lockFile);
    lock = await acquireFreezeLock(spec.lockFile, lockContent);
  }
  if (!lock.ok) {
    const holder = 'heldBy' in lock ? `process ${lock.heldBy}` : 'another process';
    emit({
      event: 'freeze-failed',
      code: 'FSFREEZE_ALREADY_HELD',
      message: `a freeze is already held by ${holder} (${spec.lockFile})`,
    });
    return 3;
  }

  const frozen: string[] = [];
  for (const mount of spec.mounts) {
    const result = await fsfreezeCall(spec.binary, 'freeze', mount, spec.callTimeoutMs);
    if (!result.ok) {
      await thawAll(spec, frozen);
      await releaseFreezeLock(spec.lockFile);
      emit({
        event: 'freeze-failed',
        code: result.missingBinary ? 'FSFREEZE_UNAVAILABLE' : 'FSFREEZE_FAILED',
        message: result.message,
      });
      return 2;
    }
    frozen.push(mount);
  }

  const reason = await new Promise<'command' | 'deadline' | 'agent-lost' | 'signal'>((resolve) => {
    setTimeout(() => resolve('deadline'), spec.deadlineMs);
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => resolve('signal'));
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line.trim() === 'thaw') resolve('command');
    });
    lines.once('close', () => resolve('agent-lost'));
    emit({ event: 'frozen', mounts: frozen });
  });
  const errors = await thawAll(spec, frozen);
  await releaseFreezeLock(spec.lockFile);
  emit({ event: 'thawed', reason, errors });
  return errors.length === 0 ? 0 : 1;
}
