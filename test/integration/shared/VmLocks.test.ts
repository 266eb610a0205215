import { describe, expect, it } from 'vitest';

import { VmLocks } from '../../../shared/runs/VmLocks.js';
import { azuriteTable, uniqueTableName } from '../../support/azuriteTable.js';

const vm = (name: string) => `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`;
const HOUR = 3600_000;

describe('VmLocks against Azurite tables', () => {
  const setup = () => new VmLocks(azuriteTable(uniqueTableName('locks')));

  it('claims a free VM, claims it again for the same run, and refuses it to another run', async () => {
    const locks = setup();
    const since = new Date('2026-12-02T01:00:00Z');
    const first = await locks.claim(vm('a'), 'run-1', HOUR, since);
    expect(first).toEqual({ claimed: true, etag: expect.any(String) as string });
    expect(await locks.claim(vm('a'), 'run-1', HOUR, since)).toEqual(first);
    expect(await locks.claim(vm('A'), 'run-2', HOUR, new Date('2026-12-02T01:30:00Z'))).toEqual({
      claimed: false,
      heldBy: 'run-1',
      since: since.toISOString(),
    });
  });

  it('takes over a claim that expired, and then only its new holder releases it', async () => {
    const locks = setup();
    const dead = await locks.claim(vm('b'), 'run-dead', HOUR, new Date('2026-12-02T01:00:00Z'));
    const taken = await locks.claim(vm('b'), 'run-2', HOUR, new Date('2026-12-02T02:00:01Z'));
    expect(taken).toEqual({ claimed: true, etag: expect.any(String) as string });
    await locks.release(vm('b'), 'run-dead');
    // The dead run's claim etag no longer matches: its release, even with the etag, leaves the new claim alone.
    await locks.release(vm('b'), 'run-dead', dead.claimed ? dead.etag : '');
    expect((await locks.get(vm('b')))?.lock.runId).toBe('run-2');
    await locks.release(vm('b'), 'run-2');
    expect(await locks.get(vm('b'))).toBeUndefined();
  });

  it('releases with the etag of the claim, without reading the row first', async () => {
    const locks = setup();
    const claim = await locks.claim(vm('f'), 'run-1', HOUR);
    if (!claim.claimed) throw new Error('not claimed');
    await locks.release(vm('f'), 'run-1', claim.etag);
    expect(await locks.get(vm('f'))).toBeUndefined();
    await locks.release(vm('f'), 'run-1', claim.etag); // already released: nothing to do, no error
  });

  it('lists only the live claims among the VMs asked about', async () => {
    const locks = setup();
    const now = new Date();
    await locks.claim(vm('c'), 'run-1', HOUR, now);
    await locks.claim(vm('d'), 'run-old', HOUR, new Date(now.getTime() - 2 * HOUR));
    const held = await locks.heldAmong([vm('c'), vm('d'), vm('e')], now);
    expect(held.map((lock) => [lock.vmId, lock.runId])).toEqual([[vm('c'), 'run-1']]);
  });
});
