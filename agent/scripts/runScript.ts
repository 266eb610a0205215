import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import type { AgentError, ScriptResult, ScriptStep } from '../../shared/protocol/index.js';
import { killProcessTree } from './killProcessTree.js';
import { OutputTail } from './OutputTail.js';
import { resolveScript } from './resolveScript.js';

export interface ScriptContext {
  runId: string;
  vmId: string;
  instanceId: string;
  phase: 'pre-snapshot' | 'post-snapshot';
}

export interface ScriptLimits {
  scriptsDirectory: string;
  outputTailBytes: number;
  maxTimeoutSeconds: number;
}

/** How long to wait for the output pipes to close after the script exited (a background child may keep them open). */
const PIPE_DRAIN_MS = 1000;

const INHERITED_ENV = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TZ',
  'SystemRoot',
  'SystemDrive',
  'TEMP',
  'TMP',
  'windir',
  'ComSpec',
];

/** Windows cannot exec scripts directly; their interpreters get the script as a file argument (still no shell string). */
function commandFor(scriptPath: string, args: string[]): [string, string[]] {
  if (process.platform !== 'win32') return [scriptPath, args];
  const extension = path.extname(scriptPath).toLowerCase();
  if (extension === '.ps1')
    return [
      'powershell.exe',
      ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', scriptPath, ...args],
    ];
  if (extension === '.cmd' || extension === '.bat') return ['cmd.exe', ['/d', '/c', scriptPath, ...args]];
  return [scriptPath, args];
}

/**
 * Runs a pre- or post-snapshot script from the scripts directory without a shell, with the run context in its
 * environment and its output tail kept. On timeout the whole process tree is killed. Never throws.
 */
export async function runScript(step: ScriptStep, context: ScriptContext, limits: ScriptLimits): Promise<ScriptResult> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const timing = () => ({ startedAt, durationMs: Math.round((performance.now() - started) * 10) / 10 });
  const stepName = context.phase === 'pre-snapshot' ? 'preScript' : 'postScript';
  const tail = new OutputTail(limits.outputTailBytes);
  const finish = (
    status: ScriptResult['status'],
    exitCode: number | null,
    signal: string | null,
    error?: Omit<AgentError, 'step'>,
  ): ScriptResult => ({
    name: step.name,
    status,
    exitCode,
    signal,
    outputTail: tail.text(),
    outputTruncated: tail.truncated,
    timing: timing(),
    ...(error ? { error: { ...error, step: stepName } } : {}),
  });

  const resolved = await resolveScript(limits.scriptsDirectory, step.name);
  if (!resolved.ok) {
    if (resolved.code === 'SCRIPT_NOT_FOUND' && step.ignoreMissing) return finish('missing-ignored', null, null);
    return finish(resolved.code === 'SCRIPT_NOT_FOUND' ? 'failed' : 'rejected', null, null, {
      code: resolved.code,
      message: resolved.message,
    });
  }

  const timeoutSeconds = Math.min(step.timeoutSeconds, limits.maxTimeoutSeconds);
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name];
  Object.assign(env, {
    QUIESCE_RUN_ID: context.runId,
    QUIESCE_VM_ID: context.vmId,
    QUIESCE_INSTANCE_ID: context.instanceId,
    QUIESCE_PHASE: context.phase,
  });
  const [command, args] = commandFor(resolved.path, step.args);

  return new Promise<ScriptResult>((resolve) => {
    const child = spawn(command, args, {
      cwd: path.dirname(resolved.path),
      env,
      shell: false,
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let timedOut = false;
    let settled = false;
    child.stdout.on('data', (chunk: Buffer) => tail.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => tail.push(chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killProcessTree(child.pid);
    }, timeoutSeconds * 1000);

    const settle = (result: ScriptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    child.once('error', (error) =>
      settle(finish('failed', null, null, { code: 'SCRIPT_SPAWN_FAILED', message: error.message })),
    );
    child.once('exit', (code, signal) => {
      const report = () => {
        if (timedOut)
          return settle(
            finish('timed-out', code, signal, {
              code: 'SCRIPT_TIMEOUT',
              message: `"${step.name}" ran longer than ${timeoutSeconds} s; its process tree was killed`,
            }),
          );
        if (code === 0) return settle(finish('succeeded', code, signal));
        settle(
          finish('failed', code, signal, {
            code: 'SCRIPT_FAILED',
            message: `"${step.name}" exited with ${code === null ? `signal ${signal}` : `code ${code}`}`,
          }),
        );
      };
      const drain = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        report();
      }, PIPE_DRAIN_MS);
      child.once('close', () => {
        clearTimeout(drain);
        report();
      });
    });
  });
}
