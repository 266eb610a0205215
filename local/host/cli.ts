import { Command } from 'commander';

import { parsePort } from '../cli/parsePort.js';
import { FunctionsHost } from './FunctionsHost.js';

const program = new Command()
  .name('quiesce-host')
  .description('Host an @azure/functions v4 app folder on plain Node (HTTP, timer and storage queue triggers).')
  .requiredOption('--app <folder>', 'the app folder (its package.json "main" names the entry files)')
  .option('--port <port>', 'HTTP port (0: any free port)', parsePort, 7071)
  .option('--hostname <address>', 'address to listen on', '127.0.0.1')
  .parse();

const options = program.opts<{ app: string; port: number; hostname: string }>();

try {
  const host = await FunctionsHost.start({ appDir: options.app, port: options.port, hostname: options.hostname });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      host.logger.info({ signal }, `Received ${signal}`);
      void host.stop().then(() => process.exit(0));
    });
  }
  process.stdout.write(`${JSON.stringify({ event: 'ready', url: host.url, functions: host.functions })}\n`);
} catch (error: unknown) {
  process.stderr.write(`quiesce-host: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
