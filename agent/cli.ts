import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { Command, InvalidArgumentError } from 'commander';

import {
  commandQueueName,
  exportPrivateKeyPem,
  generateSigningKeyPair,
  importPrivateKey,
  publicKeyOf,
} from '../shared/protocol/index.js';
import { Agent } from './Agent.js';
import { AgentConfigError, loadAgentConfig } from './config/agentConfig.js';
import { HolderSpec } from './fsfreeze/holderProtocol.js';
import { recoverStaleFreeze } from './fsfreeze/recoverStaleFreeze.js';
import { runFreezeHolder } from './fsfreeze/runFreezeHolder.js';
import { createAgentLogger } from './logging/createAgentLogger.js';
import { AGENT_VERSION } from './version.js';
import { runSimulatedVssHelper, SimulatorOptions } from './vss/runSimulatedVssHelper.js';

const script = process.argv[1] ?? '';
/** The freeze holder's small bundle, installed beside this one; without it the agent's own bundle holds the freeze. */
const holderBundle = path.join(path.dirname(script), 'quiesce-freeze-holder.mjs');

function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('a positive integer');
  return number;
}

async function runAgent(configFile: string): Promise<void> {
  const config = await loadAgentConfig(configFile);
  const { logger, sink } = createAgentLogger(config.logLevel);
  if (process.platform === 'linux') await recoverStaleFreeze(config.fsfreeze.lockFile, config.fsfreeze.binary, logger);
  const agent = new Agent({
    config,
    logger,
    logSink: sink,
    holderCommand: [process.execPath, existsSync(holderBundle) ? holderBundle : script],
  });
  await agent.start();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping: thawing first');
      void agent.stop().then(() => process.exit(0));
    });
  }
  process.stdout.write(
    `${JSON.stringify({ event: 'ready', vmId: config.vmId, commandQueue: config.queues.commandQueue, pid: process.pid })}\n`,
  );
}

const program = new Command()
  .name('quiesce-agent')
  .description('The Quiesce guest agent: application-consistent freezes on command, over Azure Queue Storage.')
  .version(AGENT_VERSION)
  .option('--config <file>', 'agent config (JSON or YAML)')
  .action(async (options: { config?: string }) => {
    const file = options.config;
    if (file === undefined) return program.error('--config <file> is required');
    await runAgent(file);
  });

program
  .command('keygen')
  .description("create the agent's Ed25519 key pair; prints the public key to enrol")
  .requiredOption('--out <file>', 'where to write the private key (PKCS#8 PEM, mode 0600)')
  .option('--force', 'overwrite an existing key')
  .action(async (options: { out: string; force?: boolean }) => {
    if (existsSync(options.out) && !options.force) {
      const publicKey = publicKeyOf(importPrivateKey(await readFile(options.out, 'utf8')));
      process.stdout.write(`${publicKey}\n`);
      process.stderr.write(`${options.out} exists; kept it (use --force to replace). Its public key is above.\n`);
      return;
    }
    const pair = generateSigningKeyPair();
    await writeFile(options.out, exportPrivateKeyPem(pair.privateKey), { mode: 0o600 });
    process.stdout.write(`${pair.publicKey}\n`);
  });

program
  .command('public-key')
  .description('print the public key of a private key file')
  .requiredOption('--key <file>')
  .action(async (options: { key: string }) => {
    process.stdout.write(`${publicKeyOf(importPrivateKey(await readFile(options.key, 'utf8')))}\n`);
  });

program
  .command('queue-name')
  .description('print the command queue name of a VM resource id')
  .requiredOption('--vm-id <id>')
  .action((options: { vmId: string }) => {
    process.stdout.write(`${commandQueueName(options.vmId)}\n`);
  });

program
  .command('simulate-vss-helper')
  .description('a simulated VSS helper speaking the helper line protocol (for tests and simulated Windows VMs)')
  .option('--hold-writes-ms <ms>', 'VSS hold-writes limit', positiveInt, 10_000)
  .option('--writer-timeout-ms <ms>', 'VSS writer Freeze→Thaw timeout', positiveInt, 60_000)
  .option('--writers <json>', 'writers: [{"name","id?","freezeMs?","failAtFreeze?"}]')
  .action(async (options: { holdWritesMs: number; writerTimeoutMs: number; writers?: string }) => {
    const writers: unknown = options.writers ? JSON.parse(options.writers) : undefined;
    const { holdWritesMs, writerTimeoutMs } = options;
    process.exitCode = await runSimulatedVssHelper(SimulatorOptions.parse({ holdWritesMs, writerTimeoutMs, writers }));
  });

program
  .command('__hold-freeze', { hidden: true })
  .argument('<spec>')
  .action(async (spec: string) => {
    process.exit(await runFreezeHolder(HolderSpec.parse(JSON.parse(spec))));
  });

try {
  await program.parseAsync();
} catch (error: unknown) {
  const message = error instanceof AgentConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`quiesce-agent: ${message}\n`);
  process.exit(1);
}
