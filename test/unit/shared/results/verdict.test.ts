import { describe, expect, it } from 'vitest';

import { decideVerdict, type VerdictEvidence } from '../../../../shared/results/verdict.js';

const disks = [
  { disk: 'os', ok: true },
  { disk: 'data-1', ok: true },
];
const provenThaw = { outcome: 'thawed', reason: 'command', frozenSeconds: 2, commandSentAfterSnapshots: true } as const;
const linuxApp: VerdictEvidence = {
  vmRunning: true,
  guestProcessing: 'on',
  freeze: {
    outcome: 'frozen',
    steps: [
      { kind: 'pre-script', ok: true },
      { kind: 'fsfreeze', ok: true },
    ],
  },
  snapshots: disks,
  thaw: provenThaw,
};

describe('decideVerdict', () => {
  it('is application-consistent when an application step succeeded and the thaw by command followed every snapshot', () => {
    expect(decideVerdict(linuxApp)).toEqual({
      consistency: 'application-consistent',
      reason:
        'Application-consistent: the pre-snapshot script succeeded and the filesystems were frozen; all 2 disk snapshot(s) were taken while the guest was quiesced.',
      warnings: [],
    });
    const windows = {
      ...linuxApp,
      freeze: { outcome: 'frozen' as const, steps: [{ kind: 'vss' as const, ok: true }] },
    };
    expect(decideVerdict(windows).reason).toMatch(/^Application-consistent: VSS writers prepared their data; /);
  });

  it('is file-system-consistent with fsfreeze alone', () => {
    const evidence = {
      ...linuxApp,
      freeze: { outcome: 'frozen' as const, steps: [{ kind: 'fsfreeze' as const, ok: true }] },
    };
    expect(decideVerdict(evidence).consistency).toBe('file-system-consistent');
  });

  it('downgrades a watchdog thaw to crash-consistent and says why', () => {
    const verdict = decideVerdict({ ...linuxApp, thaw: { ...provenThaw, reason: 'deadline', frozenSeconds: 30 } });
    expect(verdict).toMatchObject({
      consistency: 'crash-consistent',
      reason:
        "Crash-consistent: the agent's watchdog thawed the guest after 30 s before the thaw command came, so the snapshots may postdate the freeze.",
    });
  });

  it('names every other reason the guest thawed early', () => {
    expect(
      decideVerdict({ ...linuxApp, thaw: { ...provenThaw, reason: 'vss-timeout', frozenSeconds: 10 } }).reason,
    ).toBe(
      'Crash-consistent: VSS released the held writes at its 10 s limit after 10 s before the thaw command came, so the snapshots may postdate the freeze.',
    );
    expect(decideVerdict({ ...linuxApp, thaw: { ...provenThaw, reason: 'holder-exited' } }).reason).toContain(
      'the process holding the freeze exited',
    );
    expect(decideVerdict({ ...linuxApp, thaw: { ...provenThaw, reason: 'not-frozen' } }).consistency).toBe(
      'crash-consistent',
    );
  });

  it('proves nothing without a thaw confirmation, or when the thaw command did not follow the snapshots', () => {
    expect(decideVerdict({ ...linuxApp, thaw: { outcome: 'no-reply', waitedSeconds: 30 } }).reason).toContain(
      'did not confirm the thaw within 30 s',
    );
    expect(decideVerdict({ ...linuxApp, thaw: { ...provenThaw, commandSentAfterSnapshots: false } }).consistency).toBe(
      'crash-consistent',
    );
  });

  it('applies the failure action of a failed pre-script: continue, skip or fail', () => {
    const freeze = (action: 'continue' | 'skip' | 'fail') => ({
      outcome: 'failed' as const,
      reason: 'pre-snapshot script exited 3: table locked',
      action,
    });
    expect(decideVerdict({ ...linuxApp, freeze: freeze('continue'), thaw: undefined })).toMatchObject({
      consistency: 'crash-consistent',
      reason: 'Crash-consistent: pre-snapshot script exited 3: table locked.',
    });
    expect(decideVerdict({ ...linuxApp, freeze: freeze('skip'), snapshots: [] })).toMatchObject({
      consistency: 'skipped',
      reason: 'Skipped: pre-snapshot script exited 3: table locked.',
    });
    expect(decideVerdict({ ...linuxApp, freeze: freeze('fail'), snapshots: [] })).toMatchObject({
      consistency: 'failed',
    });
  });

  it('reports the preflight reason a person can act on', () => {
    const reason = 'agent did not answer ping within 30 s; NSG rule deny-outbound-all blocks 443 to Storage';
    expect(
      decideVerdict({
        vmRunning: true,
        guestProcessing: 'on',
        preflightFailure: { reason, action: 'continue' },
        snapshots: disks,
      }),
    ).toMatchObject({
      consistency: 'crash-consistent',
      reason: `Crash-consistent: ${reason}.`,
    });
    expect(
      decideVerdict({
        vmRunning: true,
        guestProcessing: 'on',
        preflightFailure: { reason, action: 'skip' },
        snapshots: [],
      }).consistency,
    ).toBe('skipped');
  });

  it('fails when a disk snapshot failed, naming the disk, even though the guest was quiesced', () => {
    const verdict = decideVerdict({
      ...linuxApp,
      snapshots: [
        { disk: 'os', ok: true },
        { disk: 'data-1', ok: false, error: 'InternalError' },
      ],
    });
    expect(verdict).toMatchObject({
      consistency: 'failed',
      reason: 'Failed: the snapshot of data-1 (InternalError) did not succeed.',
    });
  });

  it('keeps the consistency but warns when the post-script failed after a proven thaw', () => {
    const verdict = decideVerdict({
      ...linuxApp,
      thaw: { ...provenThaw, postScript: { kind: 'post-script', ok: false, detail: 'exited 1' } },
    });
    expect(verdict.consistency).toBe('application-consistent');
    expect(verdict.warnings).toEqual(['post-snapshot script failed: exited 1']);
  });

  it('reports guest processing off, a VM not running, and a partly failed quiesce', () => {
    expect(decideVerdict({ vmRunning: true, guestProcessing: 'off', snapshots: disks }).reason).toBe(
      'Crash-consistent: guest processing is off for this VM.',
    );
    expect(decideVerdict({ vmRunning: false, guestProcessing: 'on', snapshots: disks }).consistency).toBe(
      'not-running',
    );
    const vssFailed = {
      outcome: 'frozen' as const,
      steps: [
        { kind: 'vss' as const, ok: false, detail: 'hold-writes timeout' },
        { kind: 'fsfreeze' as const, ok: true },
      ],
    };
    const partly = decideVerdict({ ...linuxApp, freeze: vssFailed });
    expect(partly.consistency).toBe('file-system-consistent');
    expect(partly.reason).toContain('(vss failed: hold-writes timeout)');
  });
});
