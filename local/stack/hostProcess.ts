import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { type LoggedProcess, type LogRecord, startLoggedProcess } from './loggedProcess.js';
import { PROJECT_DIR } from './projectDir.js';

export type { LogRecord };

export const HOST_CLI = path.join(PROJECT_DIR, 'dist/local/host/cli.js');

export interface HostProcess extends LoggedProcess {
  url: string;
  functions: { name: string; trigger: string; detail: string }[];
}

/** A short random suffix, for queue names, task hubs and host ids that nothing else uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Runs `npm run host`'s entry point (the built CLI) on an app folder as a real child process. */
export async function startHostProcess(appDir: string, env: Record<string, string | undefined>): Promise<HostProcess> {
  const host = await startLoggedProcess('host', [HOST_CLI, '--app', appDir, '--port', '0'], env);
  const ready = host.readyLine as { url: string; functions: HostProcess['functions'] };
  return { ...host, url: ready.url, functions: ready.functions };
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
