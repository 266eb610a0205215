import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface LogRecord {
  level: number;
  msg: string;
  function?: string;
  invocationId?: string;
  [field: string]: unknown;
}

export interface LoggedProcess {
  child: ChildProcess;
  /** The one JSON line the process prints on stdout when it is ready. */
  readyLine: Record<string, unknown>;
  logs: LogRecord[];
  waitForLog(predicate: (record: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs one of our processes (host, agent) the way they are run for real: JSON logs on stderr, collected for the test;
 * one JSON ready line on stdout, awaited.
 */
export async function startLoggedProcess(
  what: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  readyTimeoutMs = 30_000,
): Promise<LoggedProcess> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const readyLine = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not get ready:\n${stderrText}`)), readyTimeoutMs);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as Record<string, unknown>);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready:\n${stderrText}`));
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
    child,
    readyLine,
    logs,
    waitForLog,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
