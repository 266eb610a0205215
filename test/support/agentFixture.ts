import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { QueueClient } from '@azure/storage-queue';

import {
  type CommandType,
  exportPrivateKeyPem,
  generateSigningKeyPair,
  importPublicKey,
  openReply,
  ReplayGuard,
  type Reply,
  sealCommand,
  type SealInput,
  type SigningKeyPair,
} from '../../shared/protocol/index.js';
import { eventually, type LogRecord, PROJECT_DIR, uniqueName } from './hostProcess.js';

export const AGENT_BUNDLE = path.join(PROJECT_DIR, 'dist/agent/quiesce-agent.mjs');

export interface AgentFixtureOptions {
  connectionString: string;
  /** Files written into the scripts directory (mode 0755), name → content. */
  scripts?: Record<string, string>;
  /** Merged into the generated config. */
  config?: Record<string, unknown>;
  windows?: { holdWritesMs?: number; writerTimeoutMs?: number; writers?: unknown[] };
}

export interface AgentProcess {
  child: ChildProcess;
  logs: LogRecord[];
  waitForLog(predicate: (record: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A VM as the service sees it: its keys, config, scripts, queues; starts the real bundled agent on it. */
export class AgentFixture {
  readonly vmId = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${uniqueName('vm')}`;
  readonly service: SigningKeyPair = generateSigningKeyPair();
  readonly agentKeys: SigningKeyPair = generateSigningKeyPair();
  readonly commandQueue = uniqueName('cmd');
  readonly replyQueue = uniqueName('replies');
  readonly commands: QueueClient;
  readonly replies: QueueClient;
  readonly replayGuard = new ReplayGuard();
  readonly received: Reply[] = [];
  dir = '';
  scriptsDir = '';
  configFile = '';
  readonly #options: AgentFixtureOptions;
  readonly #agents: AgentProcess[] = [];

  constructor(options: AgentFixtureOptions) {
    this.#options = options;
    this.commands = new QueueClient(options.connectionString, this.commandQueue);
    this.replies = new QueueClient(options.connectionString, this.replyQueue);
  }

  async setUp(): Promise<this> {
    this.dir = await mkdtemp(path.join(os.tmpdir(), 'quiesce-agent-'));
    this.scriptsDir = path.join(this.dir, 'scripts');
    await mkdir(this.scriptsDir);
    for (const [name, content] of Object.entries(this.#options.scripts ?? {})) await this.writeScript(name, content);
    await writeFile(path.join(this.dir, 'agent.pem'), exportPrivateKeyPem(this.agentKeys.privateKey), { mode: 0o600 });
    const windows = this.#options.windows;
    const config = {
      vmId: this.vmId,
      auth: { kind: 'connectionString', connectionString: this.#options.connectionString },
      queues: { commandQueue: this.commandQueue, replyQueue: this.replyQueue },
      servicePublicKey: this.service.publicKey,
      agentPrivateKeyFile: 'agent.pem',
      scriptsDirectory: 'scripts',
      fsfreeze: { lockFile: path.join(this.dir, 'run/freeze.lock') },
      polling: { busyIntervalMs: 50, idleIntervalMs: 200 },
      logLevel: 'debug',
      ...(windows
        ? {
            reportOs: 'windows',
            vss: {
              helperPath: process.execPath,
              helperArgs: [
                AGENT_BUNDLE,
                'simulate-vss-helper',
                ...(windows.holdWritesMs ? ['--hold-writes-ms', String(windows.holdWritesMs)] : []),
                ...(windows.writerTimeoutMs ? ['--writer-timeout-ms', String(windows.writerTimeoutMs)] : []),
                ...(windows.writers ? ['--writers', JSON.stringify(windows.writers)] : []),
              ],
            },
          }
        : {}),
      ...this.#options.config,
    };
    this.configFile = path.join(this.dir, 'agent.json');
    await writeFile(this.configFile, JSON.stringify(config, null, 2));
    await Promise.all([this.commands.createIfNotExists(), this.replies.createIfNotExists()]);
    return this;
  }

  async writeScript(name: string, content: string): Promise<string> {
    const file = path.join(this.scriptsDir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    await chmod(file, 0o755);
    return file;
  }

  symlinkScript(name: string, target: string): Promise<void> {
    return symlink(target, path.join(this.scriptsDir, name));
  }

  async startAgent(): Promise<AgentProcess> {
    const child = spawn(process.execPath, [AGENT_BUNDLE, '--config', this.configFile], {
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
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`agent did not get ready:\n${stderrText}`)), 20_000);
      createInterface({ input: child.stdout }).once('line', () => {
        clearTimeout(timer);
        resolve();
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`agent exited with ${code}:\n${stderrText}`));
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
    const agent: AgentProcess = {
      child,
      logs,
      waitForLog,
      stop: (signal = 'SIGTERM') => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
    };
    this.#agents.push(agent);
    return agent;
  }

  /** Seals a command as the service does and enqueues it; returns the message id. */
  async send<T extends CommandType>(
    type: T,
    body: SealInput<T, unknown>['body'],
    overrides: Partial<Omit<SealInput<T, unknown>, 'type' | 'body'>> = {},
  ): Promise<string> {
    const sealed = sealCommand(
      {
        type,
        vmId: this.vmId,
        instanceId: 'instance-1',
        runId: 'run-1',
        ttlMs: 60_000,
        ...overrides,
        body,
      } as Parameters<typeof sealCommand<T>>[0],
      this.service.privateKey,
    );
    if (!sealed.ok) throw new Error('command too large');
    await this.commands.sendMessage(sealed.wire);
    return sealed.message.id;
  }

  async sendRaw(wire: string): Promise<void> {
    await this.commands.sendMessage(wire);
  }

  /** Reads, verifies and deletes replies; every reply must verify with the agent's registered key. */
  async readReplies(): Promise<Reply[]> {
    const publicKey = importPublicKey(this.agentKeys.publicKey);
    const { receivedMessageItems } = await this.replies.receiveMessages({ numberOfMessages: 32 });
    for (const item of receivedMessageItems) {
      const opened = openReply(item.messageText, {
        publicKeyFor: () => publicKey,
        expectedVmId: this.vmId,
        replayGuard: this.replayGuard,
      });
      if (!opened.ok) throw new Error(`a reply did not verify: ${opened.reason} ${opened.detail}`);
      this.received.push(opened.message);
      await this.replies.deleteMessage(item.messageId, item.popReceipt);
    }
    return this.received;
  }

  async waitForReply<T extends Reply['type']>(
    type: T,
    predicate: (reply: Extract<Reply, { type: T }>) => boolean = () => true,
    timeoutMs = 20_000,
  ): Promise<Extract<Reply, { type: T }>> {
    const match = (r: Reply): r is Extract<Reply, { type: T }> =>
      r.type === type && predicate(r as Extract<Reply, { type: T }>);
    const replies = await eventually(
      () => this.readReplies(),
      (all) => all.some(match),
      timeoutMs,
    );
    const found = replies.find(match);
    if (!found)
      throw new Error(`no ${type} reply within ${timeoutMs} ms; got ${JSON.stringify(replies.map((r) => r.type))}`);
    return found;
  }

  async commandQueueLength(): Promise<number> {
    return (await this.commands.getProperties()).approximateMessagesCount ?? 0;
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.#agents.map((agent) => agent.stop('SIGKILL')));
    await Promise.all([this.commands.deleteIfExists(), this.replies.deleteIfExists()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}
