import { describe, expect, it } from 'vitest';

import { expectedConsistency } from '../../../orchestrations/expectedConsistency.js';
import { freezeCommand, freezeWaitSeconds, thawWaitSeconds } from '../../../orchestrations/freezeCommand.js';
import {
  freezeFailureReason,
  frozenSteps,
  pongProblem,
  postScriptStep,
} from '../../../orchestrations/guestEvidence.js';
import { GuestProcessing } from '../../../shared/policy/BackupPolicy.js';
import type { FreezeFailedBody, PongBody, ScriptResult } from '../../../shared/protocol/index.js';
import { RunPlan } from '../../../shared/runs/runInputs.js';

const timing = { startedAt: '2026-03-01T02:00:00.000Z', durationMs: 12 };
const plan = (guestProcessing: Record<string, unknown> = {}) =>
  RunPlan.parse({ guestProcessing: GuestProcessing.parse(guestProcessing) });
const withScripts = plan({
  linux: {
    preScript: { path: 'db/freeze.sh', args: ['--fast'], timeoutSeconds: 40, retries: 1 },
    postScript: { path: 'db/thaw.sh', timeoutSeconds: 20, retries: 2 },
  },
});
const script = (fields: Partial<ScriptResult>): ScriptResult => ({
  name: 'db/freeze.sh',
  status: 'failed',
  exitCode: 3,
  signal: null,
  outputTail: 'connection refused\n',
  outputTruncated: false,
  timing,
  ...fields,
});
const pong = (fields: Partial<PongBody> = {}): PongBody => ({
  agentVersion: '0.1.0',
  protocolVersion: 1,
  os: { family: 'linux', platform: 'linux', release: '6.1', arch: 'x64' },
  quiescers: { scripts: { usable: true }, fsfreeze: { usable: true }, vss: { usable: false, reason: 'not Windows' } },
  scripts: [],
  busyWithRunId: null,
  ...fields,
});

describe('the freeze command a policy makes', () => {
  it('names the Linux scripts, fsfreeze of every filesystem, and the watchdog limit', () => {
    expect(freezeCommand(withScripts, 'linux')).toEqual({
      maxFrozenSeconds: 30,
      preScript: { name: 'db/freeze.sh', args: ['--fast'], timeoutSeconds: 40, ignoreMissing: false, retries: 1 },
      postScript: { name: 'db/thaw.sh', args: [], timeoutSeconds: 20, ignoreMissing: false, retries: 2 },
      fsfreeze: { mounts: 'all' },
    });
    expect(freezeWaitSeconds(withScripts, 'linux')).toBe(30 + 40);
    expect(thawWaitSeconds(withScripts, 'linux')).toBe(30 + 20 * 3);
  });

  it('asks Windows for VSS (copy-only by default, full when set) and never for fsfreeze', () => {
    expect(freezeCommand(plan(), 'windows')).toEqual({
      maxFrozenSeconds: 30,
      vss: { backupType: 'copy', writers: {} },
    });
    const full = plan({ applicationAware: { vss: true, vssBackupType: 'full' } });
    expect(freezeCommand(full, 'windows').vss?.backupType).toBe('full');
  });

  it('freezes only the listed mounts when the policy lists them', () => {
    const listed = plan({ linux: { fsfreeze: { enabled: true, mounts: ['/data'] } } });
    expect(freezeCommand(listed, 'linux').fsfreeze).toEqual({ mounts: ['/data'] });
  });

  it('expects what the plan can prove on each OS', () => {
    expect(expectedConsistency(withScripts, 'linux')).toBe('application-consistent');
    expect(expectedConsistency(plan(), 'linux')).toBe('file-system-consistent');
    expect(expectedConsistency(plan(), 'windows')).toBe('application-consistent');
    expect(expectedConsistency(plan({ enabled: false }), 'windows')).toBe('crash-consistent');
  });
});

describe('evidence read from the agent', () => {
  const freeze = freezeCommand(withScripts, 'linux');

  it('finds what stands in the way in a pong: another run, a missing script, fsfreeze unusable', () => {
    expect(pongProblem(pong(), freeze, 'run-1')).toBeUndefined();
    expect(pongProblem(pong({ busyWithRunId: 'run-0' }), freeze, 'run-1')).toBe('the agent is busy with run run-0');
    expect(pongProblem(pong({ scripts: [{ name: 'db/freeze.sh', exists: false }] }), freeze, 'run-1')).toBe(
      'the pre-snapshot script db/freeze.sh is missing on the VM',
    );
    const noFreeze = pong({
      quiescers: {
        scripts: { usable: true },
        fsfreeze: { usable: false, reason: 'not root' },
        vss: { usable: false },
      },
    });
    expect(pongProblem(noFreeze, freeze, 'run-1')).toBe('fsfreeze is not usable on the VM: not root');
  });

  it('says why a freeze failed in a sentence with the exit code and output tail', () => {
    const failed: FreezeFailedBody = {
      error: { code: 'SCRIPT_FAILED', step: 'preScript', message: 'exit 3' },
      preScript: script({}),
      freezeDurationMs: 40,
    };
    expect(freezeFailureReason(failed)).toBe('pre-snapshot script db/freeze.sh exited 3: connection refused');
    expect(
      freezeFailureReason({
        error: { code: 'FSFREEZE_FAILED', step: 'fsfreeze', message: 'FIFREEZE /data: EBUSY' },
        freezeDurationMs: 5,
      }),
    ).toBe('fsfreeze failed: FIFREEZE /data: EBUSY');
  });

  it('reads the quiesce steps of a frozen reply, a failed VSS writer included', () => {
    expect(
      frozenSteps({
        frozenAt: timing.startedAt,
        watchdogDeadline: timing.startedAt,
        preScript: script({ status: 'succeeded', exitCode: 0 }),
        fsfreeze: { mounts: ['/data', '/'], timing },
        freezeDurationMs: 30,
        repeated: false,
      }),
    ).toEqual([
      { kind: 'pre-script', ok: true, detail: 'db/freeze.sh exited 0' },
      { kind: 'fsfreeze', ok: true, detail: 'froze /data, /' },
    ]);
    const [vss] = frozenSteps({
      frozenAt: timing.startedAt,
      watchdogDeadline: timing.startedAt,
      vss: {
        backupType: 'copy',
        writers: [
          { name: 'SqlServerWriter', id: 'x', state: 'FAILED_AT_FREEZE', failure: 'VSS_E_WRITERERROR_TIMEOUT' },
        ],
        timing,
      },
      freezeDurationMs: 30,
      repeated: false,
    });
    expect(vss).toEqual({
      kind: 'vss',
      ok: false,
      detail: 'writer SqlServerWriter FAILED_AT_FREEZE (VSS_E_WRITERERROR_TIMEOUT)',
    });
  });

  it('reports a retried post-script with its attempts', () => {
    expect(
      postScriptStep(script({ name: 'db/thaw.sh', status: 'timed-out', exitCode: null, attempts: 3, outputTail: '' })),
    ).toEqual({
      kind: 'post-script',
      ok: false,
      detail: 'db/thaw.sh timed out after 3 attempts',
    });
    expect(postScriptStep(undefined)).toBeUndefined();
  });
});
