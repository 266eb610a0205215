import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const PROJECT_DIR = path.resolve(import.meta.dirname, '../..');
export const HOST_CLI = path.join(PROJECT_DIR, 'dist/local/host/cli.js');

export interface LogRecord {
  level: number;
  msg: string;
  function?: string;
  invocationId?: string;
  [field: string]: unknown;
}

export interface HostProcess {
  url: string;
  functions: { name: string; trigger: string; detail: string }[];
  child: ChildProcess;
  logs: LogRecord[];
  waitForLog(predicate: (record: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A short random suffix, for queue names and host ids that no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Runs `npm run host`'s entry point (the built CLI) on an app folder as a real child process. */
export async function startHostProcess(appDir: string, env: Record<string, string | undefined>): Promise<HostProcess> {
  const child = spawn(process.execPath, [HOST_CLI, '--app', appDir, '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogRecord[] = [];
  const waiters = new Set<() => void>();
  let stderrText = '';
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrText += `${line}\n`;
    try {
      logs.push(JSON.parse(line) as LogRecord);
    } catch {
      logs.push({ level: 50, msg: line });
    }
    for (const waiter of waiters) waiter();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const ready = await new Promise<{ url: string; functions: HostProcess['functions'] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not get ready:\n${stderrText}`)), 30_000);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as { url: string; functions: HostProcess['functions'] });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code} before it was ready:\n${stderrText}`));
    });
  });

  const waitForLog = (predicate: (record: LogRecord) => boolean, timeoutMs = 20_000) =>
    new Promise<LogRecord>((resolve, reject) => {
      const check = () => {
        const found = logs.find(predicate);
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching log within ${timeoutMs} ms; logs:\n${stderrText}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  return {
    ...ready,
    child,
    logs,
    waitForLog,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `read` until `accept` holds or the timeout passes; returns the last value read. */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
