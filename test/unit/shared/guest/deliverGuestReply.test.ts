import type { KeyObject } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { deliverGuestReply, type GuestReplyDeps } from '../../../../shared/guest/deliverGuestReply.js';
import {
  generateSigningKeyPair,
  importPublicKey,
  type PongBody,
  ReplayGuard,
  type ReplyType,
  type SealInput,
  sealReply,
} from '../../../../shared/protocol/index.js';
import { backupVmInstanceId } from '../../../../shared/runs/instanceIds.js';
import { SAMPLE_PONG } from '../../../support/samplePong.js';

const VM = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web-1';
const RUN = 'run-1';
const INSTANCE = backupVmInstanceId(RUN, VM);
const now = new Date('2026-11-22T10:00:00.000Z');
const agentKeys = generateSigningKeyPair();

function seal<T extends ReplyType>(
  type: T,
  body: SealInput<T, unknown>['body'],
  overrides: Partial<SealInput<T, unknown>> = {},
  key: KeyObject = agentKeys.privateKey,
): string {
  const sealed = sealReply(
    { type, vmId: VM, instanceId: INSTANCE, runId: RUN, ttlMs: 60_000, now, body, ...overrides } as Parameters<
      typeof sealReply<T>
    >[0],
    key,
  );
  if (!sealed.ok) throw new Error('oversized');
  return sealed.wire;
}
const pong = (overrides: Partial<SealInput<'pong', unknown>> = {}, key?: KeyObject) =>
  seal('pong', SAMPLE_PONG, overrides, key);
/** What the Functions host hands the handler: the base64 JSON already decoded and parsed. */
const delivered = (wire: string) => JSON.parse(Buffer.from(wire, 'base64').toString('utf8')) as unknown;

/** The registry, durable client and log the trigger uses, recording every call. */
class Fakes {
  keys = new Map<string, string>([[VM.toLowerCase(), agentKeys.publicKey]]);
  /** What a (stale) cache answers instead of the table, until a fresh read replaces it. */
  cachedKey: string | undefined;
  pongs: { vmId: string; pong: PongBody }[] = [];
  raised: { instanceId: string; eventName: string; data: unknown }[] = [];
  warnings: string[] = [];
  raiseFailure: Error | undefined;
  readonly replayGuard = new ReplayGuard();

  deps(): GuestReplyDeps {
    return {
      registry: {
        publicKeyFor: (vmId, options = {}) => {
          if (options.fresh) this.cachedKey = undefined;
          const text = this.cachedKey ?? this.keys.get(vmId.toLowerCase());
          return Promise.resolve(text === undefined ? undefined : importPublicKey(text));
        },
        recordPong: (vmId, body) => {
          this.pongs.push({ vmId, pong: body });
          return Promise.resolve(true);
        },
      },
      client: {
        raiseEvent: (instanceId, eventName, data) => {
          if (this.raiseFailure) return Promise.reject(this.raiseFailure);
          this.raised.push({ instanceId, eventName, data });
          return Promise.resolve();
        },
      },
      replayGuard: this.replayGuard,
      log: { info: () => undefined, warn: (...args: unknown[]) => this.warnings.push(args.join(' ')) },
      now: () => now,
    };
  }
}

describe('deliverGuestReply', () => {
  it('raises a verified pong on the instance it answers, under its type, and records it on the agent', async () => {
    const fakes = new Fakes();
    const outcome = await deliverGuestReply(delivered(pong()), fakes.deps());
    expect(outcome).toMatchObject({ delivered: true, instanceId: INSTANCE, eventName: 'pong' });
    expect(fakes.raised.map((r) => [r.instanceId, r.eventName])).toEqual([[INSTANCE, 'pong']]);
    expect(fakes.raised[0]?.data).toMatchObject({ type: 'pong', vmId: VM, runId: RUN, body: SAMPLE_PONG });
    expect(fakes.pongs).toEqual([{ vmId: VM, pong: SAMPLE_PONG }]);
    expect(fakes.warnings).toEqual([]);
  });

  it('accepts the wire text too, and raises other reply types without touching the registry', async () => {
    const fakes = new Fakes();
    const thawed = seal('thawed', {
      thawReason: 'command',
      thawedAt: now.toISOString(),
      frozenDurationMs: 1200,
      errors: [],
    });
    expect(await deliverGuestReply(thawed, fakes.deps())).toMatchObject({ delivered: true, eventName: 'thawed' });
    expect(fakes.raised.map((r) => r.eventName)).toEqual(['thawed']);
    expect(fakes.pongs).toEqual([]);
  });

  const otherKey = generateSigningKeyPair().privateKey;
  const unenrolledVm = VM.replace('web-1', 'web-9');
  it.each([
    ['bad-signature', () => delivered(pong({}, otherKey))],
    [
      'unknown-sender',
      () => delivered(pong({ vmId: unenrolledVm, instanceId: backupVmInstanceId(RUN, unenrolledVm) })),
    ],
    ['expired', () => delivered(pong({ now: new Date(now.getTime() - 20 * 60_000) }))],
    ['not-yet-valid', () => delivered(pong({ now: new Date(now.getTime() + 20 * 60_000) }))],
    ['wrong-instance', () => delivered(pong({ instanceId: backupVmInstanceId('run-2', VM) }))],
    ['wrong-instance', () => delivered(pong({ runId: 'run-2' }))],
    ['malformed', () => ({ hello: 'world' })],
    ['malformed', () => 'not base64!'],
    ['malformed', () => 17],
    ['unsupported-version', () => ({ ...(delivered(pong()) as object), v: 2 })],
    ['unknown-type', () => ({ ...(delivered(pong()) as object), type: 'ping' })],
  ])('drops a %s reply with one warning naming the reason, and raises nothing', async (reason, make) => {
    const fakes = new Fakes();
    const outcome = await deliverGuestReply(make(), fakes.deps());
    expect(outcome).toEqual({ delivered: false, reason });
    expect(fakes.raised).toEqual([]);
    expect(fakes.pongs).toEqual([]);
    expect(fakes.warnings).toHaveLength(1);
    expect(fakes.warnings[0]).toContain(`(${reason})`);
  });

  it('names the ids a dropped reply claimed in its warning', async () => {
    const fakes = new Fakes();
    await deliverGuestReply(delivered(pong({ id: 'forged-0001' }, otherKey)), fakes.deps());
    expect(fakes.warnings[0]).toContain('"messageId":"forged-0001"');
    expect(fakes.warnings[0]).toContain(`"instanceId":"${INSTANCE}"`);
  });

  it('drops a replay of a reply it already raised', async () => {
    const fakes = new Fakes();
    const wire = pong();
    await deliverGuestReply(delivered(wire), fakes.deps());
    expect(await deliverGuestReply(delivered(wire), fakes.deps())).toEqual({ delivered: false, reason: 'replayed' });
    expect(fakes.raised).toHaveLength(1);
  });

  it('drops a reply for an instance that does not exist (the client answered 404)', async () => {
    const fakes = new Fakes();
    fakes.raiseFailure = new Error(`No instance with ID '${INSTANCE}' found.`);
    expect(await deliverGuestReply(delivered(pong()), fakes.deps())).toEqual({
      delivered: false,
      reason: 'instance-not-found',
    });
    expect(fakes.warnings).toHaveLength(1);
  });

  it('throws when raising fails for another reason, and accepts the same message when the host retries it', async () => {
    const fakes = new Fakes();
    const message = delivered(pong());
    fakes.raiseFailure = new Error('connect ECONNREFUSED 127.0.0.1:7071');
    await expect(deliverGuestReply(message, fakes.deps())).rejects.toThrow('ECONNREFUSED');
    fakes.raiseFailure = undefined;
    expect(await deliverGuestReply(message, fakes.deps())).toMatchObject({ delivered: true });
  });

  it('accepts a reply signed with a rotated key while the cache still holds the old one', async () => {
    const fakes = new Fakes();
    const rotated = generateSigningKeyPair();
    fakes.cachedKey = agentKeys.publicKey;
    fakes.keys.set(VM.toLowerCase(), rotated.publicKey);
    expect(await deliverGuestReply(delivered(pong({}, rotated.privateKey)), fakes.deps())).toMatchObject({
      delivered: true,
    });
    expect(await deliverGuestReply(delivered(pong({}, agentKeys.privateKey)), fakes.deps())).toEqual({
      delivered: false,
      reason: 'bad-signature',
    });
  });
});
