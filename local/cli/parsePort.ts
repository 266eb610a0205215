import { InvalidArgumentError } from 'commander';

/** A `--port` value: 0-65535, where 0 asks for any free port. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is 0-65535 (0: any free port)');
  return port;
}
