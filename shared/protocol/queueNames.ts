import { createHash } from 'node:crypto';

const PREFIX = 'qz-';
const MAX_READABLE_CHARS = 36;
const HASH_HEX_CHARS = 16;

/**
 * The command queue of one VM: `qz-<readable vm name>-<64-bit hash of the resource id>`. Azure resource ids are
 * case-insensitive, so the hash is over the lower-cased id; the result is a valid queue name (3-63 characters,
 * lowercase letters, digits, single hyphens, starting and ending with a letter or digit) and never changes for a VM.
 */
export function commandQueueName(vmResourceId: string): string {
  const normalized = vmResourceId.trim().toLowerCase();
  if (normalized.length === 0) throw new Error('a VM resource id is required');
  const hash = createHash('sha256').update(normalized).digest('hex').slice(0, HASH_HEX_CHARS);
  const lastSegment = normalized.split('/').filter(Boolean).at(-1) ?? '';
  const readable =
    lastSegment
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, MAX_READABLE_CHARS)
      .replace(/^-+|-+$/g, '') || 'vm';
  return `${PREFIX}${readable}-${hash}`;
}

const QUEUE_NAME = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/;

export function isValidQueueName(name: string): boolean {
  return QUEUE_NAME.test(name);
}
