import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HostProcess, PROJECT_DIR } from '../../support/hostProcess.js';
import { startQuiesceHost } from '../../support/quiesceHost.js';

const CLI = path.join(PROJECT_DIR, 'dist/cli/quiesce.js');

describe('the quiesce CLI against the app in the local host', () => {
  let host: HostProcess;
  let dir: string;
  const quiesce = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, '--api', host.url, ...args], { encoding: 'utf8' });

  beforeAll(async () => {
    host = await startQuiesceHost();
    dir = await mkdtemp(path.join(tmpdir(), 'quiesce-cli-'));
  });
  afterAll(() => host.stop('SIGKILL'));

  it('applies policies from YAML and lists them', async () => {
    const file = path.join(dir, 'policies.yaml');
    await writeFile(
      file,
      [
        '- name: nightly-sql',
        '  schedule: { cron: "0 2 * * *", timeZone: Europe/Berlin }',
        '  targets: { tags: { backup: nightly } }',
        '  retention: { keepLast: 7 }',
        '- name: hourly-web',
        '  schedule: { cron: "0 * * * *" }',
        '  targets: { tags: { tier: web } }',
        '  retention: { keepDays: 2 }',
        '  maxParallelVms: 50',
      ].join('\n'),
    );
    const applied = quiesce('policy', 'apply', '-f', file);
    expect(applied.status).toBe(0);
    expect(applied.stdout).toBe('policy/nightly-sql applied\npolicy/hourly-web applied\n');
    const list = quiesce('policy', 'list');
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+ENABLED\s+SCHEDULE\s+TIME ZONE\s+PARALLEL\s+PRIORITY$/);
    expect(list.stdout).toMatch(/hourly-web\s+true\s+0 \* \* \* \*\s+UTC\s+50\s+100/);
    const json = JSON.parse(quiesce('--json', 'policy', 'get', 'nightly-sql').stdout) as {
      guestProcessing: { maxFrozenSeconds: number };
    };
    expect(json.guestProcessing.maxFrozenSeconds).toBe(30);
  });

  it('prints the API validation issues and exits 1 for an invalid policy', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'name: broken\nschedule: { cron: "every night" }\ntargets: {}\nretention: { keepLast: 3 }\n');
    const result = quiesce('policy', 'apply', '-f', file);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('quiesce: The policy is invalid');
    expect(result.stderr).toContain('  - schedule.cron: use 5 fields');
    expect(result.stderr).toContain('  - targets: name at least one target');
  });

  it('says clearly when the API cannot be reached, and deletes policies', () => {
    const unreachable = spawnSync(process.execPath, [CLI, '--api', 'http://127.0.0.1:9', 'policy', 'list'], {
      encoding: 'utf8',
    });
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toContain('Cannot reach the Quiesce API at http://127.0.0.1:9');
    expect(quiesce('policy', 'delete', 'hourly-web').stdout).toBe('policy/hourly-web deleted\n');
    expect(quiesce('policy', 'get', 'hourly-web').stderr).toBe('quiesce: No policy named "hourly-web".\n');
  });
});
