import { pino } from 'pino';

import type { RpcLogLevel } from './core/coreTypes.js';

export type Logger = pino.Logger;

const PINO_LEVEL_BY_HOST_LEVEL: Record<string, pino.LevelWithSilent> = {
  Trace: 'trace',
  Debug: 'debug',
  Information: 'info',
  Warning: 'warn',
  Error: 'error',
  Critical: 'fatal',
  None: 'silent',
};

const PINO_LEVEL_BY_RPC_LEVEL: Record<RpcLogLevel, pino.LevelWithSilent> = {
  trace: 'trace',
  debug: 'debug',
  information: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'fatal',
  none: 'silent',
};

/** Structured JSON logs on stderr, so stdout stays free for the one machine-readable "ready" line. */
export function createLogger(hostLogLevel = 'Information'): Logger {
  return pino(
    { level: PINO_LEVEL_BY_HOST_LEVEL[hostLogLevel] ?? 'info', base: undefined },
    pino.destination({ dest: 2, sync: false }),
  );
}

export function logAtRpcLevel(logger: Logger, level: RpcLogLevel, fields: object, message: string): void {
  const pinoLevel = PINO_LEVEL_BY_RPC_LEVEL[level];
  if (pinoLevel !== 'silent') logger[pinoLevel](fields, message);
}
