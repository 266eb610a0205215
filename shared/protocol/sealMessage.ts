import { type KeyObject, randomUUID, sign } from 'node:crypto';

import type { z } from 'zod';

import { canonicalJson } from './canonicalJson.js';
import {
  type Command,
  COMMAND_BODIES,
  type CommandType,
  type Reply,
  REPLY_BODIES,
  type ReplyType,
} from './messages.js';
import { MAX_MESSAGE_LIFETIME_MS, MAX_QUEUE_MESSAGE_BYTES, PROTOCOL_VERSION } from './protocolVersion.js';

export const SIGNATURE_CONTEXT = 'quiesce-guest-protocol-v1\n';

export interface SealInput<T extends string, B> {
  type: T;
  vmId: string;
  instanceId: string;
  runId: string;
  body: B;
  /** How long the message stays valid; at most MAX_MESSAGE_LIFETIME_MS. */
  ttlMs: number;
  now?: Date;
  id?: string;
}

export type SealResult<M> =
  { ok: true; wire: string; message: M } | { ok: false; reason: 'oversized'; wireBytes: number };

/** The bytes an Ed25519 signature covers: a context string and the canonical JSON of every field but `sig`. */
export function signedBytes(unsigned: Record<string, unknown>): Buffer {
  return Buffer.from(SIGNATURE_CONTEXT + canonicalJson(unsigned), 'utf8');
}

function seal<M extends { type: string }>(
  bodies: Record<string, z.ZodType>,
  input: SealInput<string, unknown>,
  privateKey: KeyObject,
): SealResult<M> {
  const schema = bodies[input.type];
  if (!schema) throw new Error(`unknown message type "${input.type}"`);
  if (input.ttlMs <= 0 || input.ttlMs > MAX_MESSAGE_LIFETIME_MS)
    throw new Error(`ttlMs must be 1..${MAX_MESSAGE_LIFETIME_MS}`);
  const now = input.now ?? new Date();
  const unsigned = {
    v: PROTOCOL_VERSION,
    id: input.id ?? randomUUID(),
    type: input.type,
    vmId: input.vmId,
    instanceId: input.instanceId,
    runId: input.runId,
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + input.ttlMs).toISOString(),
    body: schema.parse(input.body),
  };
  const sig = sign(null, signedBytes(unsigned), privateKey).toString('base64');
  const message = { ...unsigned, sig };
  const wire = Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
  if (wire.length > MAX_QUEUE_MESSAGE_BYTES) return { ok: false, reason: 'oversized', wireBytes: wire.length };
  const { sig: _sig, ...typed } = message;
  return { ok: true, wire, message: typed as unknown as M };
}

/** Service side: a signed command for one VM's command queue, base64 as the wire form. */
export function sealCommand<T extends CommandType>(
  input: SealInput<T, z.input<(typeof COMMAND_BODIES)[T]>>,
  servicePrivateKey: KeyObject,
): SealResult<Extract<Command, { type: T }>> {
  return seal(COMMAND_BODIES, input, servicePrivateKey);
}

/** Agent side: a reply signed with the agent's own key, for the shared reply queue. */
export function sealReply<T extends ReplyType>(
  input: SealInput<T, z.input<(typeof REPLY_BODIES)[T]>>,
  agentPrivateKey: KeyObject,
): SealResult<Extract<Reply, { type: T }>> {
  return seal(REPLY_BODIES, input, agentPrivateKey);
}
