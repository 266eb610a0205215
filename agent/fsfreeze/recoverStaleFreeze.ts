import type { Logger } from '../logging/createAgentLogger.js';
import { isAlive, readFreezeLock, releaseFreezeLock } from './freezeLock.js';
import { fsfreezeCall } from './fsfreezeCall.js';

/**
 * At start-up: a lock whose holder is gone means a holder was killed outright (it thaws on every other exit path), so
 * its mounts may still be frozen. Thaw them (thawing a thawed filesystem is harmless) and clear the lock.
 */
export async function recoverStaleFreeze(lockFile: string, binary: string, logger: Logger): Promise<void> {
  const lock = await readFreezeLock(lockFile);
  if (!lock || isAlive(lock.pid)) return;
  for (const mount of [...lock.mounts].reverse()) {
    const result = await fsfreezeCall(binary, 'thaw', mount, 10_000);
    if (result.ok) logger.warn({ mount, holderPid: lock.pid }, 'thawed a mount left frozen by a dead freeze holder');
  }
  await releaseFreezeLock(lockFile);
}
