import { describe, expect, it } from 'vitest';

import { SlotLedger } from '../../../shared/schedule/SlotLedger.js';
import { azuriteTable, uniqueTableName } from '../../support/azuriteTable.js';

describe('SlotLedger against Azurite tables', () => {
  const ledger = () => new SlotLedger(azuriteTable(uniqueTableName('slots')));

  it('lets exactly one of several concurrent claims own a slot', async () => {
    const slots = ledger();
    const claims = await Promise.all(
      Array.from({ length: 5 }, () =>
        slots.claim({ policy: 'p1', slot: '2026-03-01T14:00:00.000Z', outcome: 'started', runId: 'policy-p1-x' }),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('records skipped and missed slots with their reason, in slot order, and knows the last one', async () => {
    const slots = ledger();
    await slots.claim({
      policy: 'p2',
      slot: '2026-03-01T14:00:00.000Z',
      outcome: 'skipped-previous-running',
      reason: 'run policy-p2-a is still Running',
    });
    await slots.claim({ policy: 'p2', slot: '2026-03-01T02:00:00.000Z', outcome: 'missed', reason: 'host was down' });
    const records = await slots.list('p2');
    expect(records.map((r) => [r.slot, r.outcome, r.reason])).toEqual([
      ['2026-03-01T02:00:00.000Z', 'missed', 'host was down'],
      ['2026-03-01T14:00:00.000Z', 'skipped-previous-running', 'run policy-p2-a is still Running'],
    ]);
    expect(await slots.lastSlot('p2')).toEqual(new Date('2026-03-01T14:00:00.000Z'));
    expect(await slots.lastSlot('nobody')).toBeUndefined();
  });
});
