import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

import type {
  AgentError,
  FreezeBody,
  FreezeFailedBody,
  FrozenBody,
  FsFreezeResult,
  ScriptResult,
  ScriptStep,
  ThawedBody,
  ThawReason,
  VssResult,
} from '../../shared/protocol/index.js';
import type { AgentConfig } from '../config/agentConfig.js';
import { FsFreezeQuiescer } from '../fsfreeze/FsFreezeQuiescer.js';
import { restrictMounts, selectMounts } from '../fsfreeze/selectMounts.js';
import type { Logger } from '../logging/createAgentLogger.js';
import type { HoldableLogSink } from '../logging/HoldableLogSink.js';
import { runScript, type ScriptContext } from '../scripts/runScript.js';
import { VssQuiescer } from '../vss/VssQuiescer.js';

export interface SessionDeps {
  config: AgentConfig;
  logger: Logger;
  logSink: HoldableLogSink;
  holderCommand: readonly [string, ...string[]];
  /** The VSS helper the ping started, if it stands by (else the freeze starts one). */
  takeStandbyVss?: () => VssQuiescer | undefined;
  /** Sends `thawed` when the session thaws on its own (watchdog, VSS abort, holder gone, shutdown) or on command. */
  sendThawed: (body: ThawedBody) => void;
}

export type FreezeOutcome = { type: 'frozen'; body: FrozenBody } | { type: 'freeze-failed'; body: FreezeFailedBody };

const since = (start: number) => Math.round((performance.now() - start) * 10) / 10;
const ranScript = (result: ScriptResult | undefined) =>
  result !== undefined &&
  (result.status === 'succeeded' || result.status === 'failed' || result.status === 'timed-out');

/**
 * One backup of this VM: pre-script → VSS / fsfreeze → (frozen, watchdog armed) → thaw → post-script. Whatever fails
 * in between, what was frozen is thawed and the post-script runs if the pre-script ran. `thaw` is idempotent.
 */
export class BackupSession {
  readonly runId: string;
  readonly instanceId: string;
  readonly #deps: SessionDeps;
  readonly #freeze: FreezeBody;
  readonly #context: Omit<ScriptContext, 'phase'>;
  #fsfreeze: FsFreezeQuiescer | undefined;
  #vss: VssQuiescer | undefined;
  #preScript: ScriptResult | undefined;
  #vssResult: VssResult | undefined;
  #fsResult: FsFreezeResult | undefined;
  #frozenAt = 0;
  #watchdog: NodeJS.Timeout | undefined;
  #freezing: Promise<FreezeOutcome> | undefined;
  #frozenBody: FrozenBody | undefined;
  #thawing: Promise<ThawedBody> | undefined;
  #unexpectedErrors: AgentError[] = [];
  #failed = false;
  #releasedWhileFreezing: AgentError | undefined;

  constructor(deps: SessionDeps, ids: { runId: string; instanceId: string; vmId: string }, freeze: FreezeBody) {
    this.#deps = deps;
    this.runId = ids.runId;
    this.instanceId = ids.instanceId;
    this.#freeze = freeze;
    this.#context = ids;
  }

  /** Freezing or frozen, not yet thawing; a session whose freeze failed is over. */
  get active(): boolean {
    return !this.#failed && this.#thawing === undefined;
  }

  get finished(): Promise<ThawedBody> | undefined {
    return this.#thawing;
  }

  get frozenBody(): FrozenBody | undefined {
    return this.#frozenBody;
  }

  freeze(): Promise<FreezeOutcome> {
    this.#freezing ??= this.#doFreeze();
    return this.#freezing;
  }

  /** A failed post-script is run again up to its `retries`, alone: the snapshots are already taken. */
  async #runPostScript(step: ScriptStep): Promise<ScriptResult> {
    let attempts = 1;
    let result = await runScript(step, { ...this.#context, phase: 'post-snapshot' }, this.#scriptLimits());
    while ((result.status === 'failed' || result.status === 'timed-out') && attempts <= (step.retries ?? 0)) {
      attempts++;
      this.#deps.logger.warn({ runId: this.runId, attempt: attempts, status: result.status }, 'retrying post-script');
      result = await runScript(step, { ...this.#context, phase: 'post-snapshot' }, this.#scriptLimits());
    }
    return { ...result, attempts };
  }

  #scriptLimits() {
    const { scriptsDirectory, limits } = this.#deps.config;
    return {
      scriptsDirectory,
      outputTailBytes: limits.outputTailBytes,
      maxTimeoutSeconds: limits.maxScriptTimeoutSeconds,
    };
  }

  async #doFreeze(): Promise<FreezeOutcome> {
    const started = performance.now();
    const { config, logger, logSink } = this.#deps;
    const body = this.#freeze;
    const failed = async (error: AgentError): Promise<FreezeOutcome> => {
      this.#failed = true;
      await this.#releaseQuiescers();
      const postScript =
        ranScript(this.#preScript) && body.postScript
          ? await runScript(body.postScript, { ...this.#context, phase: 'post-snapshot' }, this.#scriptLimits())
          : undefined;
      logger.warn({ runId: this.runId, error, postScript: postScript?.status }, 'freeze failed');
      return {
        type: 'freeze-failed',
        body: {
          error,
          preScript: this.#preScript,
          postScript,
          vss: this.#vssResult,
          fsfreeze: this.#fsResult,
          freezeDurationMs: since(started),
        },
      };
    };

    if (body.maxFrozenSeconds > config.limits.maxFrozenSeconds)
      return failed({
        code: 'MAX_FROZEN_TOO_LONG',
        step: 'agent',
        message: `maxFrozenSeconds ${body.maxFrozenSeconds} exceeds this agent's limit of ${config.limits.maxFrozenSeconds}`,
      });
    if (!body.preScript && !body.vss && !body.fsfreeze)
      return failed({
        code: 'NOTHING_TO_QUIESCE',
        step: 'agent',
        message: 'the freeze names no script, VSS or fsfreeze step',
      });

    if (body.preScript) {
      this.#preScript = await runScript(
        body.preScript,
        { ...this.#context, phase: 'pre-snapshot' },
        this.#scriptLimits(),
      );
      logger.info(
        { runId: this.runId, status: this.#preScript.status, exitCode: this.#preScript.exitCode },
        'pre-snapshot script',
      );
      if (this.#preScript.error) return failed(this.#preScript.error);
    }

    const deadlineMs = body.maxFrozenSeconds * 1000;
    if (body.vss) {
      const vssStarted = { at: new Date().toISOString(), t: performance.now() };
      if (!config.vss) return failed({ code: 'VSS_UNAVAILABLE', step: 'vss', message: 'no VSS helper is configured' });
      this.#vss = this.#deps.takeStandbyVss?.() ?? new VssQuiescer(config.vss);
      this.#vss.onUnexpectedThaw((reason, error) =>
        this.#unexpectedThaw(reason === 'vss-timeout' ? 'vss-timeout' : 'holder-exited', error),
      );
      logSink.hold();
      const outcome = await this.#vss.freeze(body.vss);
      this.#vssResult = {
        backupType: body.vss.backupType,
        writers: outcome.writers,
        ...(outcome.ok ? { snapshotSetId: outcome.snapshotSetId } : { error: outcome.error }),
        timing: { startedAt: vssStarted.at, durationMs: since(vssStarted.t) },
      };
      if (!outcome.ok) return failed(outcome.error);
    }

    if (body.fsfreeze) {
      const fsStarted = { at: new Date().toISOString(), t: performance.now() };
      const available = this.#fsfreezeAvailable();
      if (available) return failed(available);
      const allowed = restrictMounts(body.fsfreeze.mounts, config.fsfreeze.onlyMounts);
      if (!allowed.ok) {
        const message = `not allowed to freeze ${allowed.refused.join(', ')} (fsfreeze.onlyMounts)`;
        return failed({ code: 'FSFREEZE_FAILED', step: 'fsfreeze', message });
      }
      let mounts = allowed.mounts === 'all' ? [] : allowed.mounts;
      if (allowed.mounts === 'all') {
        const mountInfo = await readFile(config.fsfreeze.mountInfoPath, 'utf8');
        mounts = selectMounts(mountInfo, config.fsfreeze.excludeMounts).mounts;
      }
      if (mounts.length === 0)
        return failed({ code: 'FSFREEZE_FAILED', step: 'fsfreeze', message: 'no filesystem to freeze' });
      this.#fsfreeze = new FsFreezeQuiescer({ ...config.fsfreeze, holderCommand: this.#deps.holderCommand });
      this.#fsfreeze.onUnexpectedThaw((reason) => this.#unexpectedThaw(reason));
      logSink.hold();
      const outcome = await this.#fsfreeze.freeze(mounts, deadlineMs + config.limits.holderGraceSeconds * 1000);
      this.#fsResult = {
        mounts: outcome.ok ? outcome.mounts : mounts,
        timing: { startedAt: fsStarted.at, durationMs: since(fsStarted.t) },
        ...(outcome.ok ? {} : { error: outcome.error }),
      };
      if (!outcome.ok) return failed(outcome.error);
    }

    if (this.#releasedWhileFreezing) return failed(this.#releasedWhileFreezing);
    this.#frozenAt = performance.now();
    const frozenAt = new Date();
    this.#watchdog = setTimeout(() => void this.thaw('deadline'), deadlineMs);
    this.#frozenBody = {
      frozenAt: frozenAt.toISOString(),
      watchdogDeadline: new Date(frozenAt.getTime() + deadlineMs).toISOString(),
      preScript: this.#preScript,
      vss: this.#vssResult,
      fsfreeze: this.#fsResult,
      freezeDurationMs: since(started),
      repeated: false,
    };
    logger.info(
      { runId: this.runId, mounts: this.#fsResult?.mounts, maxFrozenSeconds: body.maxFrozenSeconds },
      'frozen',
    );
    return { type: 'frozen', body: this.#frozenBody };
  }

  #fsfreezeAvailable(): AgentError | undefined {
    const { config } = this.#deps;
    if (process.platform !== 'linux')
      return { code: 'FSFREEZE_UNAVAILABLE', step: 'fsfreeze', message: 'fsfreeze needs Linux' };
    if (!config.fsfreeze.enabled)
      return { code: 'FSFREEZE_UNAVAILABLE', step: 'fsfreeze', message: 'fsfreeze is disabled in the agent config' };
    return undefined;
  }

  #unexpectedThaw(reason: ThawReason, error?: AgentError): void {
    if (error) this.#unexpectedErrors.push(error);
    // Before `frozen` was reported, the freeze itself fails; afterwards it is a thaw the service must learn about.
    if (this.#frozenBody) void this.thaw(reason);
    else
      this.#releasedWhileFreezing ??= error ?? {
        code: 'FSFREEZE_HOLDER_EXITED',
        step: 'agent',
        message: `a quiescer let go (${reason}) before the freeze completed`,
      };
  }

  async #releaseQuiescers(): Promise<{ vss?: VssResult; errors: AgentError[] }> {
    const errors: AgentError[] = [];
    let vss = this.#vssResult;
    if (this.#fsfreeze) errors.push(...(await this.#fsfreeze.thaw()));
    if (this.#vss) {
      const outcome = await this.#vss.thaw();
      errors.push(...outcome.errors);
      if (vss) vss = { ...vss, writers: outcome.writers };
    }
    this.#deps.logSink.release();
    return { vss, errors };
  }

  /** Thaws once, whoever asks first; later calls get the same result. */
  thaw(reason: ThawReason): Promise<ThawedBody> {
    this.#thawing ??= this.#doThaw(reason);
    return this.#thawing;
  }

  async #doThaw(reason: ThawReason): Promise<ThawedBody> {
    clearTimeout(this.#watchdog);
    const outcome = await this.freeze();
    if (outcome.type === 'freeze-failed') {
      return {
        thawReason: 'not-frozen',
        thawedAt: new Date().toISOString(),
        frozenDurationMs: 0,
        errors: [],
        repeated: false,
      };
    }
    const released = await this.#releaseQuiescers();
    const frozenDurationMs = since(this.#frozenAt);
    const thawedAt = new Date().toISOString();
    const postScript = this.#freeze.postScript ? await this.#runPostScript(this.#freeze.postScript) : undefined;
    const errors = [...this.#unexpectedErrors, ...released.errors, ...(postScript?.error ? [postScript.error] : [])];
    const body: ThawedBody = {
      thawReason: reason,
      thawedAt,
      frozenDurationMs,
      vss: released.vss,
      fsfreeze: this.#fsResult,
      postScript,
      errors,
      repeated: false,
    };
    this.#deps.logger.info(
      { runId: this.runId, thawReason: reason, frozenDurationMs, errors: errors.map((e) => e.code) },
      'thawed',
    );
    this.#deps.sendThawed(body);
    return body;
  }
}
