import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

import type { z } from 'zod';

import type { REPLY_BODIES } from '../shared/protocol/index.js';
import {
  type Command,
  importPrivateKey,
  importPublicKey,
  openCommand,
  ReplayGuard,
  type ReplyType,
  type ThawedBody,
} from '../shared/protocol/index.js';
import { capabilities } from './capabilities.js';
import type { AgentConfig } from './config/agentConfig.js';
import type { Logger } from './logging/createAgentLogger.js';
import type { HoldableLogSink } from './logging/HoldableLogSink.js';
import { CommandPoller } from './queue/CommandPoller.js';
import { createQueueClients, type QueueClients } from './queue/createQueueClients.js';
import { lingerIntervalMs } from './queue/pollDelay.js';
import { ReplySender } from './queue/ReplySender.js';
import { BackupSession } from './session/BackupSession.js';
import { StandbyVssHelper } from './vss/StandbyVssHelper.js';

const REMEMBERED_RUNS = 32;

export interface AgentOptions {
  config: AgentConfig;
  logger: Logger;
  logSink: HoldableLogSink;
  /** How to start the freeze holder: this node binary and this agent's script. */
  holderCommand: readonly [string, ...string[]];
}

/** The guest agent: verifies commands from its queue, runs one backup session at a time, signs and sends replies. */
export class Agent {
  readonly #config: AgentConfig;
  readonly #logger: Logger;
  readonly #logSink: HoldableLogSink;
  readonly #holderCommand: readonly [string, ...string[]];
  readonly #replayGuard = new ReplayGuard();
  readonly #queues: QueueClients;
  readonly #poller: CommandPoller;
  #servicePublicKey: KeyObject | undefined;
  #replies: ReplySender | undefined;
  #session: BackupSession | undefined;
  readonly #finished = new Map<string, ThawedBody>();
  #lastCommandAt = Number.NEGATIVE_INFINITY;
  #lastCommandType: Command['type'] | undefined;
  readonly #standbyVss: StandbyVssHelper | undefined;

  constructor(options: AgentOptions) {
    this.#config = options.config;
    this.#logger = options.logger;
    this.#logSink = options.logSink;
    this.#holderCommand = options.holderCommand;
    this.#standbyVss = options.config.vss ? new StandbyVssHelper(options.config.vss) : undefined;
    this.#queues = createQueueClients(options.config);
    const { polling, limits } = options.config;
    this.#poller = new CommandPoller(
      this.#queues.commands,
      { ...polling, visibilityTimeoutSeconds: limits.maxScriptTimeoutSeconds * 2 + limits.maxFrozenSeconds + 60 },
      options.logger,
      () => this.#pollIntervalMs(),
      (text) => this.#onMessage(text),
      this.#queues.mayCreateQueues,
    );
  }

  get receives(): number {
    return this.#poller.receives;
  }

  async start(): Promise<void> {
    this.#servicePublicKey = importPublicKey(this.#config.servicePublicKey);
    const privateKey = importPrivateKey(await readFile(this.#config.agentPrivateKeyFile, 'utf8'));
    this.#replies = new ReplySender(
      this.#queues.replies,
      this.#queues.mayCreateQueues,
      this.#config.vmId,
      privateKey,
      this.#logger,
    );
    this.#poller.start();
    this.#logger.info(
      {
        vmId: this.#config.vmId,
        commandQueue: this.#config.queues.commandQueue,
        replyQueue: this.#config.queues.replyQueue,
      },
      'agent started',
    );
  }

  /** Thaws first (a frozen guest must never outlive the agent), then stops polling and flushes replies. */
  async stop(): Promise<void> {
    const session = this.#session;
    if (session?.active) await session.thaw('shutdown');
    this.#standbyVss?.release();
    await this.#poller.stop();
    await session?.finished;
    await this.#replies?.flush();
    this.#logSink.release();
  }

  /** Fastest while a freeze is held (the thaw is all it waits for, inside the freeze window), fast during a backup. */
  #pollIntervalMs(): number {
    const { polling } = this.#config;
    const session = this.#session;
    if (session?.active) return session.frozenBody ? polling.frozenIntervalMs : polling.busyIntervalMs;
    return lingerIntervalMs(performance.now() - this.#lastCommandAt, polling, this.#lastCommandType === 'thaw');
  }

  async #onMessage(text: string): Promise<void> {
    if (!this.#servicePublicKey) return;
    const opened = openCommand(text, {
      servicePublicKey: this.#servicePublicKey,
      vmId: this.#config.vmId,
      replayGuard: this.#replayGuard,
    });
    if (!opened.ok) {
      const { ok: _ok, ...rejection } = opened;
      this.#logger.warn({ rejected: rejection }, `command rejected: ${opened.reason}`);
      return;
    }
    this.#lastCommandAt = performance.now();
    this.#poller.pollSoon();
    const command = opened.message;
    this.#lastCommandType = command.type;
    this.#logger.info(
      { type: command.type, messageId: command.id, runId: command.runId, instanceId: command.instanceId },
      'command accepted',
    );
    switch (command.type) {
      case 'ping':
        return this.#reply(
          command,
          'pong',
          await capabilities(this.#config, command.body.scripts, this.#activeRunId(), this.#standbyVss),
        );
      case 'freeze':
        return this.#freeze(command);
      case 'thaw':
        return this.#thaw(command);
    }
  }

  #activeRunId(): string | null {
    return this.#session?.active ? this.#session.runId : null;
  }

  async #freeze(command: Extract<Command, { type: 'freeze' }>): Promise<void> {
    const active = this.#session?.active ? this.#session : undefined;
    if (active && active.runId !== command.runId) {
      return this.#reply(command, 'freeze-failed', {
        error: { code: 'AGENT_BUSY', step: 'agent', message: `this VM is being backed up by run ${active.runId}` },
        freezeDurationMs: 0,
      });
    }
    if (active) {
      // The same run asked again (a retried activity): answer with what is already true.
      const outcome = await active.freeze();
      return this.#reply(
        command,
        outcome.type,
        outcome.type === 'frozen' ? { ...outcome.body, repeated: true } : outcome.body,
      );
    }
    if (!command.body.vss) this.#standbyVss?.release();
    const session = new BackupSession(
      {
        config: this.#config,
        logger: this.#logger,
        logSink: this.#logSink,
        holderCommand: this.#holderCommand,
        takeStandbyVss: () => this.#standbyVss?.take(),
        sendThawed: (body) => {
          this.#remember(command.runId, body);
          void this.#reply(command, 'thawed', body);
        },
      },
      { runId: command.runId, instanceId: command.instanceId, vmId: this.#config.vmId },
      command.body,
    );
    this.#session = session;
    const outcome = await session.freeze();
    await this.#reply(command, outcome.type, outcome.body);
  }

  async #thaw(command: Extract<Command, { type: 'thaw' }>): Promise<void> {
    const session = this.#session?.runId === command.runId ? this.#session : undefined;
    if (session?.active) {
      await session.thaw('command');
      return;
    }
    const earlier = this.#finished.get(command.runId);
    if (earlier) return this.#reply(command, 'thawed', { ...earlier, repeated: true });
    if (session) {
      // Its freeze failed: nothing is frozen, and the service learns that from this answer.
      const body = await session.thaw('command');
      this.#remember(command.runId, body);
      return this.#reply(command, 'thawed', body);
    }
    return this.#reply(command, 'thawed', {
      thawReason: 'not-frozen',
      thawedAt: new Date().toISOString(),
      frozenDurationMs: 0,
      errors: [{ code: 'UNKNOWN_RUN', step: 'agent', message: `this agent holds no freeze for run ${command.runId}` }],
    });
  }

  #remember(runId: string, body: ThawedBody): void {
    this.#finished.set(runId, body);
    for (const key of this.#finished.keys()) {
      if (this.#finished.size <= REMEMBERED_RUNS) break;
      this.#finished.delete(key);
    }
  }

  #reply<T extends ReplyType>(command: Command, type: T, body: z.input<(typeof REPLY_BODIES)[T]>): Promise<void> {
    return this.#replies?.send(command, type, body) ?? Promise.resolve();
  }
}
