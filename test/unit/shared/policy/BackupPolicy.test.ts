import { describe, expect, it } from 'vitest';

import { BackupPolicy } from '../../../../shared/policy/BackupPolicy.js';

const minimal = {
  name: 'nightly-sql',
  schedule: { cron: '0 2 * * *' },
  targets: { tags: { backup: 'nightly' } },
  retention: { keepLast: 7 },
};

const issuesOf = (input: unknown) => {
  const result = BackupPolicy.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('BackupPolicy', () => {
  it('fills the documented defaults into a minimal policy', () => {
    const policy = BackupPolicy.parse(minimal);
    expect(policy).toMatchObject({
      enabled: true,
      schedule: { cron: '0 2 * * *', timeZone: 'UTC' },
      guestProcessing: {
        enabled: true,
        applicationAware: { vss: true, vssBackupType: 'copyOnly' },
        linux: { fsfreeze: { enabled: true, mounts: [] } },
        ackTimeoutSeconds: 30,
        maxFrozenSeconds: 30,
        preflightRequired: true,
      },
      failureActions: { preflight: 'continue', quiesce: 'continue' },
      snapshot: { incremental: true, tags: {} },
      retention: { keepLast: 7, minimumKept: 2 },
      maxParallelVms: 20,
      priority: 100,
    });
  });

  it('fills script defaults: five minutes, fail, no retries', () => {
    const policy = BackupPolicy.parse({
      ...minimal,
      guestProcessing: { linux: { preScript: { path: 'mysql/flush.sh' } } },
    });
    expect(policy.guestProcessing.linux.preScript).toEqual({
      path: 'mysql/flush.sh',
      args: [],
      timeoutSeconds: 300,
      onFailure: 'fail',
      retries: 0,
      ignoreMissing: false,
    });
  });

  it('accepts several runs a day in a time zone', () => {
    expect(issuesOf({ ...minimal, schedule: { cron: '30 1,13 * * 1-5', timeZone: 'Europe/Berlin' } })).toEqual([]);
  });

  it('names each problem with its path', () => {
    expect(
      issuesOf({
        name: 'Bad Name',
        schedule: { cron: '0 25 * * *', timeZone: 'Mars/Olympus' },
        targets: {},
        guestProcessing: {
          maxFrozenSeconds: 120,
          linux: { preScript: { path: '../etc/passwd' } },
          windows: { postScript: { path: 'C:\\evil.ps1' } },
        },
        retention: {},
        snapshot: { tags: { 'quiesce-run': 'x' } },
      }),
    ).toEqual(
      expect.arrayContaining([
        'name: 3-63 lowercase letters, digits and hyphens',
        expect.stringMatching(/^schedule\.cron: .*hour/),
        'schedule.timeZone: unknown time zone "Mars/Olympus"',
        'targets: name at least one target: vmIds, resourceGroups, subscriptions or tags',
        expect.stringMatching(/^guestProcessing\.maxFrozenSeconds: Too big/),
        'guestProcessing.linux.preScript.path: must not contain ".."',
        'guestProcessing.windows.postScript.path: must be relative to the scripts directory',
        'retention: set keepLast, keepDays or both',
        'snapshot.tags: tags starting with "quiesce-" are reserved',
      ]),
    );
  });

  it('refuses six-field cron and unknown fields', () => {
    expect(issuesOf({ ...minimal, schedule: { cron: '0 0 2 * * *' } })).toEqual([
      'schedule.cron: use 5 fields: minute hour day-of-month month day-of-week',
    ]);
    expect(issuesOf({ ...minimal, retention: { keepLast: 3, keepForever: true } })[0]).toMatch(
      /^retention: Unrecognized key/,
    );
  });
});
