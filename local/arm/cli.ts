import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Command, InvalidArgumentError } from 'commander';

import { exportPrivateKeyPem, generateSigningKeyPair } from '../../shared/protocol/index.js';
import { parsePort } from '../cli/parsePort.js';
import { FleetAgents } from '../fleet/FleetAgents.js';
import { FleetFileError, loadFleet } from '../fleet/loadFleet.js';
import { runFleet } from '../fleet/runFleet.js';
import { createLogger } from '../host/logger.js';
import type { SimSettingsInput } from './simSettings.js';

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
  .option('--agents', 'start a real guest agent process for each VM whose agent is installed')
  .option('--storage <connectionString>', 'queue storage for the agents (default: AzureWebJobsStorage)')
  .option(
    '--service-public-key <key>',
    "the service's Ed25519 public key (base64url); default: a new key pair in the data folder",
  )
  .parse();

const options = program.opts<{
  fleet: string;
  port: number;
  hostname: string;
  dataDir?: string;
  latencyScale?: number;
  throttleScale?: number;
  throttle: boolean;
  agents?: boolean;
  storage?: string;
  servicePublicKey?: string;
}>();

const logger = createLogger();
let agents: Awaited<ReturnType<typeof fleetAgents>> | undefined;
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
  agents = options.agents ? await fleetAgents(dataDir) : undefined;
  const running = await runFleet({
    fleet,
    dataDir,
    port: options.port,
    hostname: options.hostname,
    logger,
    settings,
    ...(agents ? { hooks: { onVmReady: agents.agents.onVmReady } } : {}),
  });
  const { simulator } = running;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, `Received ${signal}`);
      void Promise.all([running.stop(), agents?.agents.stop()]).then(() => process.exit(0));
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
      ...(agents
        ? {
            agents: agents.agents.enrollments.length,
            enrollmentPath: path.join(dataDir, 'enrollment.json'),
            servicePublicKey: agents.servicePublicKey,
            serviceKeyPath: agents.serviceKeyPath,
          }
        : {}),
    })}\n`,
  );
} catch (error: unknown) {
  await agents?.agents.stop(); // never leave agent processes behind
  process.stderr.write(
    `quiesce-arm-sim: ${error instanceof FleetFileError || error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}

/** The fleet's agents, with the service key they trust: given on the command line, or a new pair in the data folder. */
async function fleetAgents(dataDir: string) {
  const connectionString = options.storage ?? process.env.AzureWebJobsStorage;
  if (!connectionString)
    throw new Error('--agents needs queue storage: --storage <connection string> or AzureWebJobsStorage.');
  let servicePublicKey = options.servicePublicKey;
  let serviceKeyPath: string | undefined;
  if (!servicePublicKey) {
    const keys = generateSigningKeyPair();
    serviceKeyPath = path.join(dataDir, 'service-signing-key.pem');
    await writeFile(serviceKeyPath, exportPrivateKeyPem(keys.privateKey), { mode: 0o600 });
    servicePublicKey = keys.publicKey;
  }
  const fleetDir = path.dirname(path.resolve(options.fleet));
  return {
    agents: new FleetAgents({ connectionString, servicePublicKey, dataDir, fleetDir, logger }),
    servicePublicKey,
    serviceKeyPath,
  };
}
