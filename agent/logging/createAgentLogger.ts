import { pino } from 'pino';

import { HoldableLogSink } from './HoldableLogSink.js';

export type Logger = pino.Logger;

/** JSON lines on stderr (journald or the Windows service wrapper collects them), through a sink that can hold them. */
export function createAgentLogger(level: pino.LevelWithSilent): { logger: Logger; sink: HoldableLogSink } {
  const sink = new HoldableLogSink((text) => process.stderr.write(text));
  return { logger: pino({ level, base: undefined }, sink), sink };
}
