#!/usr/bin/env node
import { Command } from 'commander';

import { addAgentCommands } from './agentCommands.js';
import { ApiClient, ApiError } from './apiClient.js';
import { Output } from './output.js';
import { addPolicyCommands } from './policyCommands.js';
import { addRunCommands } from './runCommands.js';

/** The operator CLI: `quiesce policy apply -f policy.yaml`, `quiesce runs show <id>`, against the Quiesce API. */
const program = new Command()
  .name('quiesce')
  .description('Application-consistent backups of Azure VMs: operate Quiesce from the command line.')
  .option('--api <url>', 'the Quiesce API base URL', process.env.QUIESCE_API_URL ?? 'http://127.0.0.1:7071')
  .option('--json', 'print JSON instead of tables')
  .showHelpAfterError();

const globals = () => program.opts<{ api: string; json?: boolean }>();
const api = () => new ApiClient(globals().api);
const out = () => new Output(globals().json === true);
addPolicyCommands(program, api, out);
addRunCommands(program, api, out);
addAgentCommands(program, api, out);

try {
  await program.parseAsync();
} catch (error: unknown) {
  process.stderr.write(`quiesce: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof ApiError ? 1 : 2;
}
