import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { developmentConnectionString, type DevelopmentStoragePorts } from '../host/storage/storageConnection.js';

export interface AzuriteOptions {
  /** Folder for on-disk data; omit for in-memory storage (tests). */
  location?: string;
  /** Fixed ports; each defaults to 0, any free port. */
  ports?: Partial<DevelopmentStoragePorts>;
  startTimeoutMs?: number;
}

export interface RunningAzurite {
  connectionString: string;
  ports: DevelopmentStoragePorts;
  pid: number;
  stop(): Promise<void>;
}

const READY_LINE = /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/;
const SERVICE_KEY = { Blob: 'blob', Queue: 'queue', Table: 'table' } as const;

/**
 * Starts Azurite from its npm package as a child process on loopback, telemetry off, and resolves once all three
 * services listen (ports read from its own output, so port 0 never races). `stop()` ends it.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const script = createRequire(import.meta.url).resolve('azurite/dist/src/azurite.js');
  const args = [
    script,
    ...['blob', 'queue', 'table'].flatMap((service) => [
      `--${service}Host`,
      '127.0.0.1',
      `--${service}Port`,
      String(options.ports?.[service as keyof DevelopmentStoragePorts] ?? 0),
    ]),
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    '--silent',
  ];
  if (options.location) {
    await mkdir(options.location, { recursive: true });
    args.push('--location', path.resolve(options.location));
  } else {
    args.push('--inMemoryPersistence');
  }
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ports = await waitForPorts(child, options.startTimeoutMs ?? 30_000);
  return {
    connectionString: developmentConnectionString(ports),
    ports,
    pid: child.pid ?? -1,
    stop: () => stopChild(child),
  };
}

function waitForPorts(child: ChildProcess, timeoutMs: number): Promise<DevelopmentStoragePorts> {
  return new Promise((resolve, reject) => {
    const found: Partial<DevelopmentStoragePorts> = {};
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`Azurite did not start within ${timeoutMs} ms.\n${output}`)),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of chunk.toString().split('\n')) {
        const match = READY_LINE.exec(line);
        if (match) found[SERVICE_KEY[match[1] as keyof typeof SERVICE_KEY]] = Number(match[2]);
      }
      if (found.blob && found.queue && found.table) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(found as DevelopmentStoragePorts);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => fail(new Error(`Azurite exited with code ${code} before it was ready.\n${output}`)));
    child.once('error', fail);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
