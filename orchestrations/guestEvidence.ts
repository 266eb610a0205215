import type {
  FreezeBody,
  FreezeFailedBody,
  FrozenBody,
  PongBody,
  ScriptResult,
  VssResult,
} from '../shared/protocol/index.js';
import type { QuiesceStep } from '../shared/results/verdict.js';

const TAIL_CHARS = 300;

/** What stands in the way of this freeze, read from the agent's pong; undefined when nothing does. */
export function pongProblem(pong: PongBody, freeze: FreezeBody, runId: string): string | undefined {
  if (pong.busyWithRunId && pong.busyWithRunId !== runId) return `the agent is busy with run ${pong.busyWithRunId}`;
  for (const [label, step] of [
    ['pre-snapshot', freeze.preScript],
    ['post-snapshot', freeze.postScript],
  ] as const) {
    if (!step || step.ignoreMissing) continue;
    const known = pong.scripts.find((s) => s.name === step.name);
    if (known && !known.exists) return `the ${label} script ${step.name} is missing on the VM`;
    if (known?.problem) return `the ${label} script ${step.name} cannot run: ${known.problem}`;
  }
  const unusable = (name: 'fsfreeze' | 'vss' | 'scripts') =>
    `${name === 'vss' ? 'VSS' : name} is not usable on the VM${pong.quiescers[name].reason ? `: ${pong.quiescers[name].reason}` : ''}`;
  if (freeze.fsfreeze && !pong.quiescers.fsfreeze.usable) return unusable('fsfreeze');
  if (freeze.vss && !pong.quiescers.vss.usable) return unusable('vss');
  if ((freeze.preScript || freeze.postScript) && !pong.quiescers.scripts.usable) return unusable('scripts');
  return undefined;
}

/** The quiesce steps a `frozen` reply proves, as the verdict reads them. */
export function frozenSteps(body: FrozenBody): QuiesceStep[] {
  const steps: QuiesceStep[] = [];
  if (body.preScript && body.preScript.status === 'succeeded')
    steps.push({ kind: 'pre-script', ok: true, detail: `${body.preScript.name} exited 0` });
  if (body.vss) steps.push(vssStep(body.vss));
  if (body.fsfreeze)
    steps.push({
      kind: 'fsfreeze',
      ok: !body.fsfreeze.error,
      detail: body.fsfreeze.error?.message ?? `froze ${body.fsfreeze.mounts.join(', ')}`,
    });
  return steps;
}

function vssStep(vss: VssResult): QuiesceStep {
  const failedWriters = vss.writers.filter((w) => w.failure || w.state.startsWith('FAILED'));
  if (vss.error) return { kind: 'vss', ok: false, detail: vss.error.detail ?? vss.error.message };
  if (failedWriters.length > 0)
    return {
      kind: 'vss',
      ok: false,
      detail: failedWriters.map((w) => `writer ${w.name} ${w.state}${w.failure ? ` (${w.failure})` : ''}`).join('; '),
    };
  return { kind: 'vss', ok: true, detail: `${vss.writers.length} writer(s) stable (${vss.backupType})` };
}

/** A sentence for a failed freeze: "pre-snapshot script exited 3: <output tail>", "fsfreeze failed: …". */
export function freezeFailureReason(body: FreezeFailedBody): string {
  if (body.error.step === 'preScript' && body.preScript) return `pre-snapshot script ${scriptOutcome(body.preScript)}`;
  const detail = body.error.detail ? ` (${body.error.detail})` : '';
  return `${stepLabel(body.error.step)} failed: ${body.error.message}${detail}`;
}

export function isPreScriptFailure(body: FreezeFailedBody): boolean {
  return body.error.step === 'preScript';
}

/** The post-script as a verdict step: a failure is a warning with its exit code and output tail. */
export function postScriptStep(result: ScriptResult | undefined): QuiesceStep | undefined {
  if (!result || result.status === 'missing-ignored') return undefined;
  return result.status === 'succeeded'
    ? { kind: 'post-script', ok: true, detail: `${result.name} exited 0` }
    : { kind: 'post-script', ok: false, detail: scriptOutcome(result) };
}

/** "backup.sh exited 3: <output tail>", "backup.sh timed out after 2 attempts". */
export function scriptOutcome(result: ScriptResult): string {
  const tail = result.outputTail.trim().slice(-TAIL_CHARS);
  const attempts = result.attempts && result.attempts > 1 ? ` after ${result.attempts} attempts` : '';
  const how =
    result.status === 'timed-out'
      ? `timed out${attempts}`
      : result.status === 'rejected'
        ? `was rejected (${result.error?.message ?? 'not allowed'})`
        : result.exitCode !== null
          ? `exited ${result.exitCode}${attempts}`
          : `was killed by ${result.signal ?? 'a signal'}${attempts}`;
  return `${result.name} ${how}${tail ? `: ${tail}` : ''}`;
}

function stepLabel(step: string): string {
  return step === 'vss' ? 'VSS' : step === 'fsfreeze' ? 'fsfreeze' : step === 'agent' ? 'the agent' : step;
}
