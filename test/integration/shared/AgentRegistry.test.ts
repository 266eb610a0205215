import { describe, expect, it } from 'vitest';

import { AgentRegistry, PUBLIC_KEY_CACHE_TTL_MS } from '../../../shared/agents/AgentRegistry.js';
import { exportPublicKey, generateSigningKeyPair } from '../../../shared/protocol/index.js';
import { azuriteTable, uniqueTableName } from '../../support/azuriteTable.js';
import { SAMPLE_PONG } from '../../support/samplePong.js';

const VM = '/subscriptions/s/resourceGroups/RG-App/providers/Microsoft.Compute/virtualMachines/Web-1';

describe('AgentRegistry against Azurite tables', () => {
  /** Registries sharing one table, as app instances share it; each with its own clock and key cache. */
  const sharedTable = () => {
    const table = azuriteTable(uniqueTableName('agents'));
    return (clock: { ms: number } = { ms: Date.now() }) => new AgentRegistry(table, () => clock.ms);
  };
  const keyText = async (registry: AgentRegistry, options?: { fresh?: boolean }) => {
    const key = await registry.publicKeyFor(VM.toLowerCase(), options);
    return key && exportPublicKey(key);
  };

  it('finds a VM enrolled after a lookup missed it, at once', async () => {
    const registry = sharedTable();
    const [writer, reader] = [registry(), registry()];
    expect(await keyText(reader)).toBeUndefined();
    const keys = generateSigningKeyPair();
    await writer.enroll({ vmId: VM, publicKey: keys.publicKey });
    expect(await keyText(reader)).toBe(keys.publicKey);
  });

  it('trusts a key it read for the cache TTL, then reads the rotated one; a fresh read sees it sooner', async () => {
    const registry = sharedTable();
    const clock = { ms: Date.now() };
    const [writer, reader] = [registry(), registry(clock)];
    const first = generateSigningKeyPair();
    const rotated = generateSigningKeyPair();
    await writer.enroll({ vmId: VM, publicKey: first.publicKey });
    expect(await keyText(reader)).toBe(first.publicKey);
    expect((await writer.enroll({ vmId: VM, publicKey: rotated.publicKey })).created).toBe(false);
    expect(await keyText(reader)).toBe(first.publicKey);
    expect(await keyText(reader, { fresh: true })).toBe(rotated.publicKey);

    await writer.enroll({ vmId: VM, publicKey: first.publicKey });
    expect(await keyText(reader)).toBe(rotated.publicKey);
    clock.ms += PUBLIC_KEY_CACHE_TTL_MS;
    expect(await keyText(reader)).toBe(first.publicKey);
  });

  it('records pongs on the row, keyed case-insensitively; a rotated key starts without one', async () => {
    const registry = sharedTable()();
    const keys = generateSigningKeyPair();
    const { agent, created } = await registry.enroll({ vmId: VM, publicKey: keys.publicKey });
    expect(created).toBe(true);
    expect(await registry.recordPong(VM.toUpperCase(), SAMPLE_PONG, new Date('2026-11-22T10:00:00Z'))).toBe(true);
    expect(await registry.get(VM.toLowerCase())).toEqual({
      ...agent,
      lastPongAt: '2026-11-22T10:00:00.000Z',
      agentVersion: '1.2.0',
      protocolVersion: 1,
      os: SAMPLE_PONG.os,
      capabilities: SAMPLE_PONG.quiescers,
    });
    expect(await registry.enroll({ vmId: VM, publicKey: keys.publicKey })).toMatchObject({ created: false });
    expect((await registry.get(VM))?.lastPongAt).toBe('2026-11-22T10:00:00.000Z');
    await registry.enroll({ vmId: VM, publicKey: generateSigningKeyPair().publicKey });
    expect((await registry.get(VM))?.lastPongAt).toBeUndefined();
  });

  it('forgets a removed VM: its key is gone and a late pong recreates nothing', async () => {
    const registry = sharedTable()();
    await registry.enroll({ vmId: VM, publicKey: generateSigningKeyPair().publicKey });
    expect(await keyText(registry)).toBeDefined();
    expect(await registry.remove(VM)).toBe(true);
    expect(await keyText(registry)).toBeUndefined();
    expect(await registry.recordPong(VM, SAMPLE_PONG, new Date())).toBe(false);
    expect(await registry.list()).toEqual([]);
    expect(await registry.remove(VM)).toBe(false);
  });
});
