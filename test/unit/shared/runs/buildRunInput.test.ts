import { describe, expect, it } from 'vitest';

import { BackupPolicy } from '../../../../shared/policy/BackupPolicy.js';
import { BackupRequest, onDemandRunInput } from '../../../../shared/runs/buildRunInput.js';
import { backupVmInstanceId, isVmInstanceOf } from '../../../../shared/runs/instanceIds.js';

const VM =
  '/subscriptions/6b1c3a52-5f0e-4d8e-9a44-2f1c0b7e8d13/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/SQL_01';
const policy = BackupPolicy.parse({
  name: 'sql',
  schedule: { cron: '0 2 * * *' },
  targets: { vmIds: [VM] },
  guestProcessing: { maxFrozenSeconds: 20, linux: { fsfreeze: { enabled: true, mounts: ['/data'] } } },
  retention: { keepLast: 3 },
  maxParallelVms: 5,
});
const now = new Date('2026-03-01T12:00:00Z');

describe('on-demand run input', () => {
  it('takes the policy settings and merges overrides field by field', () => {
    const request = BackupRequest.parse({
      vmIds: [VM],
      policy: 'sql',
      overrides: { guestProcessing: { ackTimeoutSeconds: 5 }, maxParallelVms: 2 },
    });
    const built = onDemandRunInput(request, policy, 'adhoc-1', now);
    expect(built.ok && built.input).toMatchObject({
      runId: 'adhoc-1',
      kind: 'on-demand',
      vmIds: [VM],
      maxParallelVms: 2,
      plan: {
        policy: 'sql',
        retention: { keepLast: 3 },
        guestProcessing: { ackTimeoutSeconds: 5, maxFrozenSeconds: 20, linux: { fsfreeze: { mounts: ['/data'] } } },
      },
    });
  });

  it('uses the documented defaults without a policy and keeps every snapshot (no retention)', () => {
    const built = onDemandRunInput(BackupRequest.parse({ vmIds: [VM] }), undefined, 'adhoc-2', now);
    expect(built.ok && built.input.plan).toMatchObject({ guestProcessing: { enabled: true, maxFrozenSeconds: 30 } });
    expect(built.ok && built.input.plan.retention).toBeUndefined();
    expect(built.ok && built.input.maxParallelVms).toBe(20);
  });

  it('rejects overrides a policy would reject, and a request naming nothing', () => {
    const bad = onDemandRunInput(
      BackupRequest.parse({ vmIds: [VM], overrides: { guestProcessing: { maxFrozenSeconds: 600 } } }),
      undefined,
      'adhoc-3',
      now,
    );
    expect(!bad.ok && bad.error.issues[0]?.path).toEqual(['guestProcessing', 'maxFrozenSeconds']);
    expect(BackupRequest.safeParse({}).error?.issues[0]?.message).toBe('name vmIds, a policy, or both');
  });
});

describe('backupVm instance ids', () => {
  it('derive from run and VM, readable, the same whatever the case of the id', () => {
    const id = backupVmInstanceId('adhoc-1', VM);
    expect(id).toMatch(/^adhoc-1--sql-01-[0-9a-f]{10}$/);
    expect(backupVmInstanceId('adhoc-1', VM.toLowerCase())).toBe(id);
    expect(isVmInstanceOf(id, 'adhoc-1', 'SQL_01')).toBe(true);
    expect(isVmInstanceOf(id, 'adhoc-1', 'sql')).toBe(false);
  });
});
