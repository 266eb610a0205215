import { type KeyObject, verify } from 'node:crypto';

import type { z } from 'zod';

import { type Command, COMMAND_BODIES, Envelope, type Reply, REPLY_BODIES } from './messages.js';
import {
  DEFAULT_CLOCK_SKEW_MS,
  MAX_MESSAGE_JSON_BYTES,
  MAX_MESSAGE_LIFETIME_MS,
  MAX_QUEUE_MESSAGE_BYTES,
  PROTOCOL_VERSION,
} from './protocolVersion.js';
import type { ReplayGuard } from './ReplayGuard.js';
import { signedBytes } from './sealMessage.js';

/** Stable reason codes: both halves log these and drop the message; none is ever acted on. */
export type RejectionReason =
  | 'oversized'
  | 'malformed'
  | 'unsupported-version'
  | 'unknown-type'
  | 'unknown-sender'
  | 'bad-signature'
  | 'wrong-vm'
  | 'expired'
  | 'not-yet-valid'
  | 'replayed';

export interface Rejected {
  ok: false;
  reason: RejectionReason;
  detail: string;
  /** What the envelope claimed, when it could be read (unauthenticated unless the reason is after the signature). */
  messageId?: string;
  type?: string;
  vmId?: string;
  runId?: string;
  instanceId?: string;
}

export type Opened<M> = { ok: true; message: M } | Rejected;

export interface OpenOptions {
  /** The signer's public key for the VM the envelope names; undefined means the sender is not enrolled. */
  publicKeyFor: (vmId: string) => KeyObject | undefined;
  /** When set, a message for any other VM is rejected as `wrong-vm`. */
  expectedVmId?: string;
  replayGuard: ReplayGuard;
  now?: Date;
  clockSkewMs?: number;
}

const sameVm = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function parseWire(wire: string): { ok: true; value: unknown } | { ok: false; detail: string } {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(wire) || wire.length % 4 !== 0) return { ok: false, detail: 'not base64' };
  try {
    return { ok: true, value: JSON.parse(Buffer.from(wire, 'base64').toString('utf8')) as unknown };
  } catch {
    return { ok: false, detail: 'not JSON' };
  }
}

/** What an envelope claims about itself, before anything is verified (for logs, and to look up the sender's key). */
export function claimedIds(value: unknown): Pick<Rejected, 'messageId' | 'type' | 'vmId' | 'runId' | 'instanceId'> {
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === 'string' ? record[key].slice(0, 512) : undefined);
  return {
    messageId: text('id'),
    type: text('type'),
    vmId: text('vmId'),
    runId: text('runId'),
    instanceId: text('instanceId'),
  };
}

/**
 * The envelope a queue message carries: from the base64 wire text, or as the value a Functions host already decoded
 * from it (the queue trigger hands a handler parsed JSON).
 */
export function decodeEnvelope(message: unknown): { ok: true; value: unknown } | Rejected {
  if (typeof message === 'string') {
    if (message.length > MAX_QUEUE_MESSAGE_BYTES)
      return { ok: false, reason: 'oversized', detail: `${message.length} bytes > ${MAX_QUEUE_MESSAGE_BYTES}` };
    const parsed = parseWire(message);
    return parsed.ok ? parsed : { ok: false, reason: 'malformed', detail: parsed.detail };
  }
  const jsonBytes = Buffer.byteLength(JSON.stringify(message) ?? '');
  if (jsonBytes > MAX_MESSAGE_JSON_BYTES)
    return { ok: false, reason: 'oversized', detail: `${jsonBytes} JSON bytes > ${MAX_MESSAGE_JSON_BYTES}` };
  return { ok: true, value: message };
}

function open<M>(message: unknown, bodies: Record<string, z.ZodType>, options: OpenOptions): Opened<M> {
  const decoded = decodeEnvelope(message);
  if (!decoded.ok) return decoded;
  const raw = decoded.value;
  const about = claimedIds(raw);
  const reject = (reason: RejectionReason, detail: string): Rejected => ({ ok: false, reason, detail, ...about });

  if (typeof raw === 'object' && raw !== null && 'v' in raw && raw.v !== PROTOCOL_VERSION)
    return reject('unsupported-version', `protocol version ${String(raw.v)}, this side speaks ${PROTOCOL_VERSION}`);
  const envelope = Envelope.safeParse(raw);
  if (!envelope.success)
    return reject('malformed', envelope.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const { sig, ...unsigned } = raw as Record<string, unknown>;
  const { type, vmId, issuedAt, expiresAt, id } = envelope.data;
  const bodySchema = Object.hasOwn(bodies, type) ? bodies[type] : undefined;
  if (!bodySchema) return reject('unknown-type', `"${type}" is not one of ${Object.keys(bodies).join(', ')}`);

  const publicKey = options.publicKeyFor(vmId);
  if (!publicKey) return reject('unknown-sender', `no public key is registered for ${vmId}`);
  const signature = Buffer.from(String(sig), 'base64');
  if (signature.length !== 64 || !verify(null, signedBytes(unsigned), publicKey, signature))
    return reject('bad-signature', 'the Ed25519 signature does not verify');

  if (options.expectedVmId !== undefined && !sameVm(vmId, options.expectedVmId))
    return reject('wrong-vm', `for ${vmId}, this is ${options.expectedVmId}`);
  const nowMs = (options.now ?? new Date()).getTime();
  const skewMs = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  const issuedMs = Date.parse(issuedAt);
  const expiresMs = Date.parse(expiresAt);
  if (expiresMs - issuedMs > MAX_MESSAGE_LIFETIME_MS || expiresMs < issuedMs)
    return reject('malformed', `lifetime ${expiresMs - issuedMs} ms is outside 0..${MAX_MESSAGE_LIFETIME_MS}`);
  if (expiresMs + skewMs < nowMs) return reject('expired', `expired at ${expiresAt}`);
  if (issuedMs - skewMs > nowMs) return reject('not-yet-valid', `issued at ${issuedAt}, in the future`);
  if (options.replayGuard.has(id, nowMs)) return reject('replayed', `message ${id} was already accepted`);

  const body = bodySchema.safeParse(envelope.data.body);
  if (!body.success)
    return reject('malformed', body.error.issues.map((i) => `body.${i.path.join('.')}: ${i.message}`).join('; '));
  options.replayGuard.remember(id, expiresMs + skewMs, nowMs);
  const { sig: _sig, ...fields } = envelope.data;
  return { ok: true, message: { ...fields, body: body.data } as M };
}

/** Agent side: a command from the service, for this VM only. */
export function openCommand(
  wire: string,
  options: Omit<OpenOptions, 'publicKeyFor' | 'expectedVmId'> & { servicePublicKey: KeyObject; vmId: string },
): Opened<Command> {
  return open(wire, COMMAND_BODIES, {
    ...options,
    publicKeyFor: () => options.servicePublicKey,
    expectedVmId: options.vmId,
  });
}

/** Service side: a reply, verified with the key the named VM's agent registered at enrolment. */
export function openReply(wire: string, options: OpenOptions): Opened<Reply> {
  return open(wire, REPLY_BODIES, options);
}

/**
 * Service side, for a queue trigger: the message as the host delivers it, either the wire text or the envelope it
 * already decoded from base64 JSON. Checked exactly as `openReply` checks the wire form.
 */
export function openDeliveredReply(message: unknown, options: OpenOptions): Opened<Reply> {
  return open(message, REPLY_BODIES, options);
}
