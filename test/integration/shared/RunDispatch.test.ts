import { describe, expect, it } from 'vitest';

import { RunDispatch } from '../../../shared/runs/RunDispatch.js';
import type { RunTarget } from '../../../shared/runs/runInputs.js';
import { azuriteTable, uniqueTableName } from '../../support/azuriteTable.js';

const targets = (count: number): RunTarget[] =>
  Array.from({ length: count }, (_, i) => ({
    vmId: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-${i}`,
    name: `vm-${i}`,
    instanceId: `run--vm-${i}-0123456789`,
  }));

describe('RunDispatch against Azurite tables', () => {
  const setup = () => {
    const table = azuriteTable(uniqueTableName('dispatch'));
    return { dispatch: new RunDispatch(table), table };
  };

  it('hands each lane the targets of its own stride, then nothing', async () => {
    const { dispatch } = setup();
    await dispatch.open('run-a', targets(4), 2);
    expect((await dispatch.take('run-a', 0, 0))?.target.name).toBe('vm-2');
    expect((await dispatch.take('run-a', 1, 0))?.target.name).toBe('vm-3');
    expect(await dispatch.take('run-a', 0, 1)).toBeUndefined();
    expect(await dispatch.close('run-a')).toEqual({ total: 4, next: 4, canceled: true, remaining: [] });
  });

  it('keeps a run of 130 VMs in a few rows; a lane alone walks its stride, then steals every other target once', async () => {
    const { dispatch, table } = setup();
    await dispatch.open('run-big', targets(130), 7);
    const rows: string[] = [];
    for await (const row of (await table()).listEntities({ queryOptions: { filter: "PartitionKey eq 'run-big'" } }))
      rows.push(String(row.rowKey));
    const lanes = Array.from({ length: 7 }, (_, lane) => `lane-0000${lane}`);
    expect(rows).toEqual([...lanes, 'state', 'targets-00000', 'targets-00001', 'targets-00002']);
    const indices: number[] = [];
    for (let seq = 0; ; seq++) {
      const taken = await dispatch.take('run-big', 3, seq);
      if (!taken) break;
      expect(taken.target.name).toBe(`vm-${taken.index}`);
      indices.push(taken.index);
    }
    // Its own stride first (7 + 3, 7 + 3 + 7, ...: 18 targets), in order.
    expect(indices.slice(0, 18)).toEqual(Array.from({ length: 18 }, (_, k) => 10 + 7 * k));
    expect([...indices].sort((a, b) => a - b)).toEqual(Array.from({ length: 123 }, (_, i) => i + 7));
  });

  it('answers a retried take (same lane and sequence) with the same target, and skips none', async () => {
    const { dispatch, table } = setup();
    await dispatch.open('run-b', targets(5), 2);
    const first = await dispatch.take('run-b', 0, 0);
    expect(first).toMatchObject({ index: 2 });
    expect(await dispatch.take('run-b', 1, 0)).toMatchObject({ index: 3 });
    expect(await dispatch.take('run-b', 0, 0)).toEqual(first);
    // A second host (no cached rows) answers the retry the same way.
    expect(await new RunDispatch(table).take('run-b', 0, 0)).toEqual(first);
    expect((await dispatch.take('run-b', 0, 1))?.index).toBe(4);
    await expect(dispatch.take('run-b', 2, 0)).rejects.toThrow(/has no lane 2/);
  });

  it('lets idle lanes take the stride of a lane held up by a slow VM: nothing waits for it', async () => {
    const { dispatch, table } = setup();
    await dispatch.open('run-slow', targets(40), 4);
    // Lane 3 is busy with its first VM the whole time; lanes 0-2 take from two hosts at once.
    const hosts = [dispatch, new RunDispatch(table)];
    const lane = async (id: number) => {
      const got: number[] = [];
      for (let seq = 0; ; seq++) {
        const taken = await (hosts[id % 2] as RunDispatch).take('run-slow', id, seq);
        if (!taken) return got;
        got.push(taken.index);
      }
    };
    const taken = (await Promise.all([0, 1, 2].map(lane))).flat();
    expect(taken.sort((a, b) => a - b)).toEqual(Array.from({ length: 36 }, (_, i) => i + 4));
    expect(await dispatch.take('run-slow', 3, 0)).toBeUndefined();
  });

  it('gives each target to exactly one of many lanes taking at once', async () => {
    const { dispatch } = setup();
    await dispatch.open('run-c', targets(60), 10);
    const lane = async (id: number) => {
      const got: number[] = [];
      for (let seq = 0; ; seq++) {
        const taken = await dispatch.take('run-c', id, seq);
        if (!taken) return got;
        got.push(taken.index);
      }
    };
    const taken = (await Promise.all(Array.from({ length: 10 }, (_, id) => lane(id)))).flat();
    expect(taken.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 10));
  });

  it('hands out nothing after a cancel, and says how many were handed out', async () => {
    const { dispatch } = setup();
    await dispatch.open('run-d', targets(6), 2);
    await dispatch.take('run-d', 0, 0);
    expect(await dispatch.isCanceled('run-d')).toBe(false);
    await dispatch.cancel('run-d');
    expect(await dispatch.isCanceled('run-d')).toBe(true);
    expect(await dispatch.take('run-d', 1, 0)).toBeUndefined();
    expect(await dispatch.take('run-d', 0, 1)).toBeUndefined(); // lane 0's cached row is stale: its etag says so
    expect(await dispatch.close('run-d')).toEqual({ total: 6, next: 3, canceled: true, remaining: [3, 4, 5] });
  });

  it('cancels a run of 210 lanes (lane rows flagged in several transactions): no lane takes anything after', async () => {
    const { dispatch, table } = setup();
    await dispatch.open('run-wide', targets(250), 210);
    expect((await dispatch.take('run-wide', 5, 0))?.index).toBe(215);
    await dispatch.cancel('run-wide');
    // Answered from a second host too, which has no cached row for any lane.
    const other = new RunDispatch(table);
    const after = await Promise.all(Array.from({ length: 210 }, (_, lane) => other.take('run-wide', lane, 1)));
    expect(after.every((taken) => taken === undefined)).toBe(true);
    const closed = await dispatch.close('run-wide');
    expect(closed).toMatchObject({ total: 250, next: 211, canceled: true });
    expect(closed?.remaining).toEqual(Array.from({ length: 40 }, (_, i) => 210 + i).filter((i) => i !== 215));
  });

  it('opens idempotently, and closing leaves only the final state row', async () => {
    const { dispatch, table } = setup();
    await dispatch.open('run-e', targets(3), 1);
    await dispatch.take('run-e', 0, 0);
    await dispatch.open('run-e', targets(3), 1);
    expect((await dispatch.take('run-e', 0, 1))?.index).toBe(2);
    await dispatch.close('run-e');
    const rows = [];
    for await (const row of (await table()).listEntities({ queryOptions: { filter: "PartitionKey eq 'run-e'" } }))
      rows.push(row.rowKey);
    expect(rows).toEqual(['state']);
    expect(await dispatch.close('run-e')).toEqual({ total: 3, next: 3, canceled: true, remaining: [] });
    expect(await dispatch.take('run-e', 0, 2)).toBeUndefined();
  });

  it('cancels a run that was never opened without failing, and it is not canceled then', async () => {
    const { dispatch } = setup();
    await dispatch.cancel('run-never');
    expect(await dispatch.isCanceled('run-never')).toBe(false);
    await expect(dispatch.take('run-never', 0, 0)).rejects.toThrow(/never opened/);
  });
});
