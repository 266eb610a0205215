import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Command, InvalidArgumentError } from 'commander';

import { FleetFileError, loadFleet } from '../fleet/loadFleet.js';
import { runFleet } from '../fleet/runFleet.js';
import { createLogger } from '../host/logger.js';
import type { SimSettingsInput } from './simSettings.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is 0-65535 (0: any free port)');
  return port;
}

function parseScale(value: string): number {
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale < 0) throw new InvalidArgumentError('a non-negative number');
  return scale;
}

const program = new Command()
  .name('quiesce-arm-sim')
  .description('An ARM endpoint (compute + network subset) on loopback HTTPS, with the VMs of a fleet file.')
  .requiredOption('--fleet <file>', 'the fleet file (YAML or JSON)')
  .option('--port <port>', 'HTTPS port (0: any free port)', parsePort, 0)
  .option('--hostname <address>', 'address to listen on', '127.0.0.1')
  .option('--data-dir <folder>', 'certificate and snapshot copies (default: a new temporary folder)')
  .option('--latency-scale <factor>', 'multiply every server-side latency (0: answer at once)', parseScale)
  .option('--throttle-scale <factor>', 'multiply every throttling bucket (e.g. 100 for benchmarks)', parseScale)
  .option('--no-throttle', 'turn throttling off')
  .parse();

const options = program.opts<{
  fleet: string;
  port: number;
  hostname: string;
  dataDir?: string;
  latencyScale?: number;
  throttleScale?: number;
  throttle: boolean;
}>();

const logger = createLogger();
try {
  const fleet = await loadFleet(options.fleet);
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'quiesce-arm-')));
  const settings: SimSettingsInput = {};
  if (options.latencyScale !== undefined) settings.latency = { scale: options.latencyScale };
  if (options.throttleScale !== undefined || !options.throttle)
    settings.throttle = {
      ...(options.throttleScale === undefined ? {} : { scale: options.throttleScale }),
      ...(options.throttle ? {} : { enabled: false }),
    };
  const running = await runFleet({ fleet, dataDir, port: options.port, hostname: options.hostname, logger, settings });
  const { simulator } = running;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, `Received ${signal}`);
      void running.stop().then(() => process.exit(0));
    });
  }
  logger.info({ endpoint: simulator.endpoint, vms: fleet.vms.length }, 'ARM simulator ready');
  process.stdout.write(
    `${JSON.stringify({
      event: 'ready',
      endpoint: simulator.endpoint,
      caCertPath: simulator.caCertPath,
      subscriptionId: fleet.subscriptionId,
      controlUrl: simulator.controlUrl,
      dataDir,
      vms: fleet.vms.length,
    })}\n`,
  );
} catch (error: unknown) {
  process.stderr.write(
    `quiesce-arm-sim: ${error instanceof FleetFileError || error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
