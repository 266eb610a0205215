import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';

import type { SnapshotCopy } from '../Inventory.js';

const CHUNK_BYTES = 1024 * 1024;
const MAX_ATTEMPTS = 20;

/**
 * Copies a disk's backing file as it is at one instant, while its guest may still write to it.
 *
 * A reflink (FICLONE) is atomic: the clone is the file at the instant of the call. Without reflink support (ext4,
 * tmpfs) the file is copied, then re-read: if every chunk is unchanged on the second read, no chunk changed between
 * its two reads, so the copy is the file as it was at the instant between the two passes. If writes keep landing,
 * the copy is retried and, as a last resort, kept and marked `unverified-copy`.
 */
export async function captureDiskFile(source: string, destination: string): Promise<SnapshotCopy> {
  try {
    const capturedAt = new Date().toISOString();
    await copyFile(source, destination, constants.COPYFILE_FICLONE_FORCE);
    return { path: destination, method: 'reflink', capturedAt };
  } catch (error: unknown) {
    if (!isReflinkUnsupported(error)) throw error;
  }
  let capturedAt = new Date().toISOString();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const digests = await copyChunks(source, destination);
    capturedAt = new Date().toISOString();
    if (await unchangedSince(source, digests)) return { path: destination, method: 'verified-copy', capturedAt };
  }
  return { path: destination, method: 'unverified-copy', capturedAt };
}

function isReflinkUnsupported(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV' || code === 'EINVAL' || code === 'ENOSYS';
}

async function copyChunks(source: string, destination: string): Promise<string[]> {
  const input = await open(source, 'r');
  const output = await open(destination, 'w');
  const digests: string[] = [];
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    for (let position = 0; ; position += CHUNK_BYTES) {
      const { bytesRead } = await input.read(buffer, 0, CHUNK_BYTES, position);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      digests.push(digest(chunk));
      await output.write(chunk, 0, bytesRead, position);
    }
  } finally {
    await Promise.all([input.close(), output.close()]);
  }
  return digests;
}

async function unchangedSince(source: string, digests: readonly string[]): Promise<boolean> {
  const input = await open(source, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    for (let index = 0; ; index += 1) {
      const { bytesRead } = await input.read(buffer, 0, CHUNK_BYTES, index * CHUNK_BYTES);
      if (bytesRead === 0) return index === digests.length;
      if (digests[index] !== digest(buffer.subarray(0, bytesRead))) return false;
    }
  } finally {
    await input.close();
  }
}

function digest(chunk: Buffer): string {
  return createHash('sha1').update(chunk).digest('hex');
}
