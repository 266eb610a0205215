import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runScript } from '../../../../agent/scripts/runScript.js';
import { eventually } from '../../../support/hostProcess.js';

const context = { runId: 'run-7', vmId: 'vm-1', instanceId: 'inst-1', phase: 'pre-snapshot' as const };

describe('runScript', () => {
  let dir: string;
  let scripts: string;
  const limits = () => ({ scriptsDirectory: scripts, outputTailBytes: 256, maxTimeoutSeconds: 60 });
  const write = async (name: string, content: string, mode = 0o755) => {
    const file = path.join(scripts, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    await chmod(file, mode);
    return file;
  };
  const step = (name: string, extra: object = {}) => ({
    name,
    args: [],
    timeoutSeconds: 10,
    ignoreMissing: false,
    ...extra,
  });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'quiesce-scripts-'));
    scripts = path.join(dir, 'scripts');
    await mkdir(scripts);
    await write('../outside.sh', `#!/bin/sh\necho escaped > ${dir}/escaped\n`);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('passes arguments as a list (no shell) and the run context in the environment', async () => {
    await write(
      'echo.sh',
      '#!/bin/sh\nprintf "%s|" "$@"; echo "$QUIESCE_RUN_ID $QUIESCE_VM_ID $QUIESCE_INSTANCE_ID $QUIESCE_PHASE"\n',
    );
    const result = await runScript(step('echo.sh', { args: ['a b', '$(touch /tmp/x)', ';ls'] }), context, limits());
    expect(result).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(result.outputTail).toBe('a b|$(touch /tmp/x)|;ls|run-7 vm-1 inst-1 pre-snapshot\n');
  });

  it.each([
    ['../outside.sh', 'a parent segment'],
    ['sub/../../outside.sh', 'a parent segment further in'],
    [`/bin/true`, 'an absolute path'],
    ['..\\outside.sh', 'a Windows parent segment'],
  ])('rejects %s (%s) without running anything', async (name) => {
    const result = await runScript(step(name), context, limits());
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'SCRIPT_PATH_REJECTED', step: 'preScript' } });
    await expect(readFile(path.join(dir, 'escaped'))).rejects.toThrow();
  });

  it('rejects a symlink that escapes the scripts directory', async () => {
    await symlink(path.join(dir, 'outside.sh'), path.join(scripts, 'link.sh'));
    const result = await runScript(step('link.sh'), context, limits());
    expect(result.error?.code).toBe('SCRIPT_PATH_REJECTED');
    await expect(readFile(path.join(dir, 'escaped'))).rejects.toThrow();
  });

  it('follows a symlink that stays inside the scripts directory', async () => {
    await write('real/ok.sh', '#!/bin/sh\necho ok\n');
    await symlink(path.join(scripts, 'real/ok.sh'), path.join(scripts, 'ok.sh'));
    expect(await runScript(step('ok.sh'), context, limits())).toMatchObject({
      status: 'succeeded',
      outputTail: 'ok\n',
    });
  });

  it('refuses a script that group or others may rewrite (it would run as root)', async () => {
    await write('loose.sh', '#!/bin/sh\necho hi\n', 0o777);
    expect((await runScript(step('loose.sh'), context, limits())).error?.code).toBe('SCRIPT_UNSAFE_PERMISSIONS');
  });

  it('reports a missing script, or skips it with ignoreMissing', async () => {
    expect(await runScript(step('none.sh'), context, limits())).toMatchObject({
      status: 'failed',
      error: { code: 'SCRIPT_NOT_FOUND' },
    });
    expect(await runScript(step('none.sh', { ignoreMissing: true }), context, limits())).toMatchObject({
      status: 'missing-ignored',
    });
  });

  it('kills the whole process tree on timeout', async () => {
    const pidFile = path.join(dir, 'grandchild.pid');
    await write('hang.sh', `#!/bin/sh\nsleep 300 &\necho $! > ${pidFile}\nsh -c 'sleep 300'\n`);
    const result = await runScript(step('hang.sh', { timeoutSeconds: 1 }), context, limits());
    expect(result).toMatchObject({ status: 'timed-out', signal: 'SIGKILL', error: { code: 'SCRIPT_TIMEOUT' } });
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    const alive = () => {
      try {
        process.kill(grandchild, 0);
        return Promise.resolve(true);
      } catch {
        return Promise.resolve(false);
      }
    };
    expect(await eventually(alive, (isAlive) => !isAlive)).toBe(false);
  });

  it('keeps only the tail of a long output, and says it was truncated', async () => {
    await write('noisy.sh', '#!/bin/sh\ni=0; while [ $i -lt 200 ]; do echo "line $i"; i=$((i+1)); done; exit 4\n');
    const result = await runScript(step('noisy.sh'), context, limits());
    expect(result).toMatchObject({
      status: 'failed',
      exitCode: 4,
      outputTruncated: true,
      error: { code: 'SCRIPT_FAILED' },
    });
    expect(Buffer.byteLength(result.outputTail)).toBeLessThanOrEqual(256);
    expect(result.outputTail.endsWith('line 199\n')).toBe(true);
  });

  it('reports a script that cannot be executed', async () => {
    await write('plain.txt', 'not a script', 0o644);
    expect((await runScript(step('plain.txt'), context, limits())).error?.code).toBe('SCRIPT_SPAWN_FAILED');
  });
});
