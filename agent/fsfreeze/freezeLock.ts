import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import * as z from 'zod/mini'; // the freeze holder's bundle imports this (see holderProtocol.ts)

const LockContent = z.object({ pid: z.number().check(z.int()), mounts: z.array(z.string()), frozenAt: z.string() });
export type LockContent = z.infer<typeof LockContent>;

export type LockAttempt = { ok: true } | { ok: false; heldBy: number } | { ok: false; stale: LockContent };

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock lives on /run (tmpfs, never frozen): created exclusively, it names the holder pid and its mounts. */
export async function acquireFreezeLock(file: string, content: LockContent): Promise<LockAttempt> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, JSON.stringify(content), { flag: 'wx', mode: 0o600 });
    return { ok: true };
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const existing = await readFreezeLock(file);
  if (existing && isAlive(existing.pid)) return { ok: false, heldBy: existing.pid };
  return { ok: false, stale: existing ?? { pid: 0, mounts: [], frozenAt: '' } };
}

export async function readFreezeLock(file: string): Promise<LockContent | undefined> {
  try {
    const parsed = LockContent.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function releaseFreezeLock(file: string): Promise<void> {
  await rm(file, { force: true });
}
