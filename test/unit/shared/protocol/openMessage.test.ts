import { sign } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  canonicalJson,
  generateSigningKeyPair,
  importPublicKey,
  MAX_MESSAGE_JSON_BYTES,
  openCommand,
  openDeliveredReply,
  openReply,
  ReplayGuard,
  sealCommand,
  sealReply,
  signedBytes,
} from '../../../../shared/protocol/index.js';
import { SAMPLE_PONG } from '../../../support/samplePong.js';

const VM = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web-1';
const service = generateSigningKeyPair();
const agent = generateSigningKeyPair();
const servicePublicKey = importPublicKey(service.publicKey);
const now = new Date('2026-11-22T10:00:00.000Z');

function ping(overrides: Partial<Parameters<typeof sealCommand>[0]> = {}, key = service.privateKey): string {
  const sealed = sealCommand(
    { type: 'ping', vmId: VM, instanceId: 'i-1', runId: 'r-1', body: {}, ttlMs: 60_000, now, ...overrides },
    key,
  );
  if (!sealed.ok) throw new Error('oversized');
  return sealed.wire;
}

const openAsAgent = (wire: string, guard = new ReplayGuard(), at = now) =>
  openCommand(wire, { servicePublicKey, vmId: VM, replayGuard: guard, now: at });

/** Re-signs an edited envelope with the service key, so only the edit is wrong. */
function resign(wire: string, edit: (message: Record<string, unknown>) => void): string {
  const message = JSON.parse(Buffer.from(wire, 'base64').toString('utf8')) as Record<string, unknown>;
  edit(message);
  delete message.sig;
  message.sig = sign(null, signedBytes(message), service.privateKey).toString('base64');
  return Buffer.from(JSON.stringify(message)).toString('base64');
}

describe('openCommand', () => {
  it('accepts a command signed by the service for this VM, with its body parsed and defaulted', () => {
    const opened = openAsAgent(ping());
    expect(opened).toMatchObject({
      ok: true,
      message: { type: 'ping', vmId: VM, runId: 'r-1', body: { scripts: [] } },
    });
  });

  it('treats VM ids case-insensitively, as Azure does', () => {
    expect(openAsAgent(ping({ vmId: VM.toUpperCase() })).ok).toBe(true);
  });

  it.each([
    ['bad-signature', () => ping({}, agent.privateKey)],
    ['wrong-vm', () => ping({ vmId: VM.replace('web-1', 'web-2') })],
    ['expired', () => ping({ now: new Date(now.getTime() - 10 * 60_000) })],
    ['not-yet-valid', () => ping({ now: new Date(now.getTime() + 5 * 60_000) })],
    ['malformed', () => 'not base64!'],
    ['malformed', () => Buffer.from('{"v":1').toString('base64')],
    ['malformed', () => resign(ping(), (m) => delete m.runId)],
    ['malformed', () => resign(ping(), (m) => (m.body = { scripts: 'x' }))],
    ['unknown-type', () => resign(ping(), (m) => (m.type = 'pong'))],
    ['unknown-type', () => resign(ping(), (m) => (m.type = 'rm-rf'))],
    ['unsupported-version', () => resign(ping(), (m) => (m.v = 2))],
    ['oversized', () => 'A'.repeat(64 * 1024 + 4)],
  ])('rejects %s', (reason, make) => {
    const opened = openAsAgent(make());
    expect(opened.ok).toBe(false);
    if (!opened.ok) expect(opened.reason).toBe(reason);
  });

  it('rejects a field changed after signing as a bad signature', () => {
    const wire = ping();
    const message = JSON.parse(Buffer.from(wire, 'base64').toString('utf8')) as Record<string, unknown>;
    message.runId = 'r-2';
    const opened = openAsAgent(Buffer.from(JSON.stringify(message)).toString('base64'));
    expect(opened).toMatchObject({ ok: false, reason: 'bad-signature', runId: 'r-2' });
  });

  it('rejects the second delivery of the same message id, and remembers only until expiry', () => {
    const guard = new ReplayGuard();
    const wire = ping();
    expect(openAsAgent(wire, guard).ok).toBe(true);
    expect(openAsAgent(wire, guard)).toMatchObject({ ok: false, reason: 'replayed' });
    expect(
      guard.has(
        (JSON.parse(Buffer.from(wire, 'base64').toString()) as { id: string }).id,
        new Date('2026-11-22T11:00:00Z').getTime(),
      ),
    ).toBe(false);
  });

  it('does not remember rejected messages', () => {
    const guard = new ReplayGuard();
    openAsAgent(ping({ vmId: 'other' }), guard);
    openAsAgent(ping({}, agent.privateKey), guard);
    expect(guard.size).toBe(0);
  });
});

describe('sealReply and openReply', () => {
  it('round-trips a reply verified with the key the agent registered', () => {
    const sealed = sealReply(
      {
        type: 'thawed',
        vmId: VM,
        instanceId: 'i',
        runId: 'r',
        ttlMs: 60_000,
        now,
        body: { thawReason: 'deadline', thawedAt: now.toISOString(), frozenDurationMs: 5, errors: [] },
      },
      agent.privateKey,
    );
    if (!sealed.ok) throw new Error('oversized');
    const keys = new Map([[VM.toLowerCase(), importPublicKey(agent.publicKey)]]);
    const opened = openReply(sealed.wire, {
      publicKeyFor: (vm) => keys.get(vm.toLowerCase()),
      replayGuard: new ReplayGuard(),
      now,
    });
    expect(opened).toMatchObject({
      ok: true,
      message: { type: 'thawed', body: { thawReason: 'deadline', repeated: false } },
    });
    const unknown = openReply(sealed.wire, { publicKeyFor: () => undefined, replayGuard: new ReplayGuard(), now });
    expect(unknown).toMatchObject({ ok: false, reason: 'unknown-sender' });
    const forged = openReply(sealed.wire, {
      publicKeyFor: () => servicePublicKey,
      replayGuard: new ReplayGuard(),
      now,
    });
    expect(forged).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('refuses to seal a message whose base64 form exceeds 64 KiB', () => {
    const error = { code: 'SCRIPT_FAILED' as const, step: 'preScript', message: 'x'.repeat(MAX_MESSAGE_JSON_BYTES) };
    const sealed = sealReply(
      {
        type: 'freeze-failed',
        vmId: VM,
        instanceId: 'i',
        runId: 'r',
        ttlMs: 1000,
        body: { error, freezeDurationMs: 1 },
      },
      agent.privateKey,
    );
    expect(sealed).toMatchObject({ ok: false, reason: 'oversized' });
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: 2 }], c: 'é' } })).toBe(
      '{"a":{"c":"é","d":[1,{"x":2,"z":1}]},"b":1}',
    );
  });
});

describe('ReplayGuard', () => {
  it('stays within its bound by forgetting the id closest to expiry', () => {
    const guard = new ReplayGuard(3);
    guard.remember('a', 1000, 0);
    guard.remember('b', 500, 0);
    guard.remember('c', 2000, 0);
    guard.remember('d', 3000, 0);
    expect(guard.size).toBe(3);
    expect(guard.has('b', 0)).toBe(false);
    expect(guard.has('a', 0)).toBe(true);
  });
});

describe('openDeliveredReply', () => {
  const pong = (overrides: Partial<Parameters<typeof sealReply<'pong'>>[0]> = {}) => {
    const sealed = sealReply(
      {
        type: 'pong',
        vmId: VM,
        instanceId: 'i',
        runId: 'r',
        ttlMs: 60_000,
        now,
        body: SAMPLE_PONG,
        ...overrides,
      },
      agent.privateKey,
    );
    if (!sealed.ok) throw new Error('oversized');
    return sealed.wire;
  };
  const decoded = (wire: string) => JSON.parse(Buffer.from(wire, 'base64').toString('utf8')) as unknown;
  const options = () => ({
    publicKeyFor: () => importPublicKey(agent.publicKey),
    replayGuard: new ReplayGuard(),
    now,
  });

  it('accepts the envelope a host already decoded from base64 JSON, as openReply accepts the wire text', () => {
    const wire = pong();
    expect(openDeliveredReply(decoded(wire), options())).toEqual(openReply(wire, options()));
    expect(openDeliveredReply(decoded(wire), options())).toMatchObject({ ok: true, message: { type: 'pong' } });
  });

  it('still accepts the wire text', () => {
    expect(openDeliveredReply(pong(), options())).toMatchObject({ ok: true, message: { type: 'pong' } });
  });

  it('checks a decoded envelope exactly as the wire form: signature, expiry, replay', () => {
    const value = decoded(pong()) as Record<string, unknown>;
    expect(openDeliveredReply({ ...value, runId: 'r-2' }, options())).toMatchObject({
      ok: false,
      reason: 'bad-signature',
      runId: 'r-2',
      instanceId: 'i',
    });
    const stale = decoded(pong({ now: new Date(now.getTime() - 20 * 60_000) }));
    expect(openDeliveredReply(stale, options())).toMatchObject({ ok: false, reason: 'expired' });
    const guard = options();
    expect(openDeliveredReply(value, guard).ok).toBe(true);
    expect(openDeliveredReply(value, guard)).toMatchObject({ ok: false, reason: 'replayed' });
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['an array', [1, 2]],
    ['text that is not base64', 'hello world'],
  ])('rejects %s as malformed', (_what, value) => {
    expect(openDeliveredReply(value, options())).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('rejects a decoded envelope larger than a queue message can carry', () => {
    const huge = { ...(decoded(pong()) as object), padding: 'x'.repeat(MAX_MESSAGE_JSON_BYTES) };
    expect(openDeliveredReply(huge, options())).toMatchObject({ ok: false, reason: 'oversized' });
  });
});
