import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { QueueClient } from '@azure/storage-queue';

import { type LoggedProcess, startLoggedProcess } from '../../local/stack/loggedProcess.js';
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
import { eventually, PROJECT_DIR, uniqueName } from './hostProcess.js';

export const AGENT_BUNDLE = path.join(PROJECT_DIR, 'dist/agent/quiesce-agent.mjs');

export interface AgentFixtureOptions {
  connectionString: string;
  /** Files written into the scripts directory (mode 0755), name → content. */
  scripts?: Record<string, string>;
  /** Merged into the generated config. */
  config?: Record<string, unknown>;
  windows?: {
    holdWritesMs?: number;
    writerTimeoutMs?: number;
    writers?: unknown[];
    /** A file that gets one line per helper process started (the helper runs behind a small shell wrapper). */
    helperStartsLog?: string;
  };
}

export type AgentProcess = LoggedProcess;

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
            vss: simulatedVssHelper(windows.helperStartsLog, [
              ...(windows.holdWritesMs ? ['--hold-writes-ms', String(windows.holdWritesMs)] : []),
              ...(windows.writerTimeoutMs ? ['--writer-timeout-ms', String(windows.writerTimeoutMs)] : []),
              ...(windows.writers ? ['--writers', JSON.stringify(windows.writers)] : []),
            ]),
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
    const agent: AgentProcess = await startLoggedProcess(
      'agent',
      [AGENT_BUNDLE, '--config', this.configFile],
      {},
      20_000,
    );
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

/** The agent's own `simulate-vss-helper`, behind a shell that logs each start when `startsLog` is given. */
function simulatedVssHelper(
  startsLog: string | undefined,
  args: string[],
): { helperPath: string; helperArgs: string[] } {
  const helper = [AGENT_BUNDLE, 'simulate-vss-helper', ...args];
  if (startsLog === undefined) return { helperPath: process.execPath, helperArgs: helper };
  return {
    helperPath: '/bin/sh',
    helperArgs: ['-c', 'echo started >> "$0"; exec "$@"', startsLog, process.execPath, ...helper],
  };
}
