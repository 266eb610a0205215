import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';

import { z } from 'zod';

import type { VssWriterState } from '../../shared/protocol/index.js';
import { type HelperEvent, HelperRequest } from './vssLineProtocol.js';

export const SimulatedWriter = z.object({
  name: z.string(),
  id: z.string().default(() => randomUUID()),
  /** How long the writer takes to freeze (PrepareForSnapshot + Freeze). */
  freezeMs: z.number().int().nonnegative().default(0),
  failAtFreeze: z.boolean().default(false),
});

export const SimulatorOptions = z.object({
  holdWritesMs: z.number().int().positive().default(10_000),
  writerTimeoutMs: z.number().int().positive().default(60_000),
  writers: z.array(SimulatedWriter).prefault([
    { name: 'System Writer', id: 'e8132975-6f93-4464-a53e-1050253ae220' },
    { name: 'Registry Writer', id: 'afbab4a2-367d-4d15-a586-71dbb18f8485' },
    { name: 'WMI Writer', id: 'a6ad56c2-b509-4e6c-bb19-49d8f43532f0' },
    { name: 'SqlServerWriter', id: 'a65faa63-5ea8-4ebc-9dbd-a0c4db26912a' },
  ]),
});
export type SimulatorOptions = z.input<typeof SimulatorOptions>;

const HOLD_WRITES_TIMEOUT = {
  name: 'VSS_E_HOLD_WRITES_TIMEOUT',
  hresult: '0x80042314',
  message: 'The shadow copy provider timed out while holding writes to the volume being shadow copied.',
};
const WRITER_TIMEOUT = {
  name: 'VSS_E_WRITERERROR_TIMEOUT',
  hresult: '0x800423f2',
  message: 'The writer operation failed because of a time-out between the Freeze and Thaw events.',
};

/**
 * A stand-in for the native VSS helper with VSS's timing rules: writers get `writerTimeoutMs` (60 s) from Freeze to
 * Thaw, and once all writers are frozen the provider may hold writes for `holdWritesMs` (10 s) at most; past either
 * limit the snapshot set is aborted and the writes released, and the helper reports the VSS error.
 */
export async function runSimulatedVssHelper(input: SimulatorOptions): Promise<number> {
  const options = SimulatorOptions.parse(input);
  const send = (event: HelperEvent) => process.stdout.write(`${JSON.stringify(event)}\n`);
  const states = new Map<string, VssWriterState>(
    options.writers.map((w) => [w.id, { name: w.name, id: w.id, state: 'STABLE' }]),
  );
  let participating: string[] = [];
  const writers = () => participating.map((id) => states.get(id)).filter((w): w is VssWriterState => w !== undefined);
  // An object, so that TypeScript does not narrow the run.phase across the awaits below.
  const run: { phase: 'idle' | 'freezing' | 'frozen' | 'aborted' | 'thawed' } = { phase: 'idle' };
  const timers: NodeJS.Timeout[] = [];
  let abortError: typeof HOLD_WRITES_TIMEOUT | undefined;

  const abort = (error: typeof HOLD_WRITES_TIMEOUT, writerFailure?: string) => {
    if (run.phase !== 'frozen' && run.phase !== 'freezing') return;
    run.phase = 'aborted';
    abortError = error;
    for (const writer of writers())
      Object.assign(
        writer,
        writerFailure ? { state: 'FAILED_AT_FREEZE', failure: writerFailure } : { state: 'STABLE' },
      );
    send({ event: 'error', error, writers: writers() });
  };

  send({ event: 'ready', helperVersion: 'simulated-1', writers: [...states.values()] });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    let request: HelperRequest;
    try {
      request = HelperRequest.parse(JSON.parse(line));
    } catch {
      continue;
    }
    if (request.op === 'freeze' && run.phase === 'idle') {
      run.phase = 'freezing';
      const chosen = options.writers.filter(
        (w) =>
          (!request.include || request.include.some((n) => n === w.name || n === w.id)) &&
          !request.exclude?.some((n) => n === w.name || n === w.id),
      );
      participating = chosen.map((w) => w.id);
      timers.push(setTimeout(() => abort(WRITER_TIMEOUT, WRITER_TIMEOUT.name), options.writerTimeoutMs));
      await Promise.all(
        chosen.map(async (w) => {
          const state = states.get(w.id);
          if (!state) return;
          state.state = 'WAITING_FOR_FREEZE';
          await new Promise((resolve) => setTimeout(resolve, Math.min(w.freezeMs, options.writerTimeoutMs)));
          if (w.failAtFreeze || w.freezeMs >= options.writerTimeoutMs)
            Object.assign(state, {
              state: 'FAILED_AT_FREEZE',
              failure: w.failAtFreeze ? 'VSS_E_WRITERERROR_RETRYABLE' : WRITER_TIMEOUT.name,
            });
          else state.state = 'WAITING_FOR_THAW';
        }),
      );
      if (run.phase !== 'freezing') continue;
      run.phase = 'frozen';
      timers.push(setTimeout(() => abort(HOLD_WRITES_TIMEOUT), options.holdWritesMs));
      send({ event: 'frozen', snapshotSetId: randomUUID(), writers: writers() });
    } else if (request.op === 'thaw' && run.phase !== 'idle' && run.phase !== 'thawed') {
      for (const timer of timers) clearTimeout(timer);
      const error = run.phase === 'aborted' ? abortError : undefined;
      if (run.phase === 'frozen')
        for (const writer of writers()) if (writer.state === 'WAITING_FOR_THAW') writer.state = 'STABLE';
      run.phase = 'thawed';
      send({ event: 'thawed', writers: writers(), ...(error ? { error } : {}) });
    }
  }
  // stdin closed: a real helper releases everything it holds and exits.
  for (const timer of timers) clearTimeout(timer);
  return 0;
}
