import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RunStore } from '../../../shared/results/RunStore.js';
import { azuriteTable, uniqueTableName } from '../../support/azuriteTable.js';
import type { HostProcess } from '../../support/hostProcess.js';
import { startQuiesceHost } from '../../support/quiesceHost.js';

describe('the runs API of the Quiesce app, through the local host and Azurite', () => {
  const prefix = uniqueTableName('r');
  const store = new RunStore(azuriteTable(`${prefix}Runs`), azuriteTable(`${prefix}VmResults`));
  let host: HostProcess;
  const get = async (path: string) => {
    const response = await fetch(`${host.url}/api/${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    for (let day = 1; day <= 5; day++) {
      const runId = `policy-nightly-2026030${day}T020000Z`;
      await store.putRun({
        runId,
        kind: 'scheduled',
        policy: 'nightly',
        status: day === 3 ? 'Warning' : 'Success',
        startedAt: `2026-03-0${day}T02:00:00.000Z`,
        vms: 1,
      });
    }
    await store.putRun({
      runId: 'adhoc-1',
      kind: 'on-demand',
      status: 'Failed',
      startedAt: '2026-03-04T12:00:00.000Z',
      vms: 2,
    });
    await store.putVmResult({
      runId: 'adhoc-1',
      vmId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/sql-1',
      vmName: 'sql-1',
      consistency: 'failed',
      reason: 'Failed: the snapshot of data-1 (InternalError) did not succeed.',
      warnings: [],
      instanceId: 'vm-adhoc-1-sql-1',
      startedAt: '2026-03-04T12:00:01.000Z',
      endedAt: '2026-03-04T12:00:09.000Z',
      snapshots: [],
    });
    host = await startQuiesceHost({ QUIESCE_TABLE_PREFIX: prefix });
  });
  afterAll(() => host.stop('SIGKILL'));

  it('lists runs newest first and pages with a continuation token', async () => {
    const first = await get('runs?top=4');
    const firstIds = (first.body.runs as { runId: string }[]).map((r) => r.runId);
    expect(firstIds).toEqual([
      'policy-nightly-20260305T020000Z',
      'adhoc-1',
      'policy-nightly-20260304T020000Z',
      'policy-nightly-20260303T020000Z',
    ]);
    const token = encodeURIComponent(String(first.body.continuationToken));
    const second = await get(`runs?top=4&continuationToken=${token}`);
    expect((second.body.runs as { runId: string }[]).map((r) => r.runId)).toEqual([
      'policy-nightly-20260302T020000Z',
      'policy-nightly-20260301T020000Z',
    ]);
    expect(second.body.continuationToken).toBeUndefined();
  });

  it('filters by policy, status and start time', async () => {
    expect(((await get('runs?status=Warning')).body.runs as { runId: string }[]).map((r) => r.runId)).toEqual([
      'policy-nightly-20260303T020000Z',
    ]);
    expect(((await get('runs?policy=nightly&since=2026-03-04T00:00:00Z')).body.runs as object[]).length).toBe(2);
  });

  it('returns a run with its per-VM results', async () => {
    const { status, body } = await get('runs/adhoc-1');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      runId: 'adhoc-1',
      status: 'Failed',
      results: [{ vmName: 'sql-1', consistency: 'failed' }],
    });
  });

  it('answers 404 for an unknown run and 400 with the issues for a bad query', async () => {
    expect((await get('runs/nope')).status).toBe(404);
    const bad = await get('runs?status=Fine&top=0');
    expect(bad.status).toBe(400);
    expect((bad.body.error as { issues: { path: string[] }[] }).issues.map((i) => i.path[0]).sort()).toEqual([
      'status',
      'top',
    ]);
  });
});
