import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startAzurite } from './azurite/startAzurite.js';
import { FunctionsHost } from './host/FunctionsHost.js';

/** `npm start`: Azurite (data under .azurite/) and the local Functions host running this app. */
const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const azurite = await startAzurite({ location: path.join(projectDir, '.azurite') });
process.env.AzureWebJobsStorage = azurite.connectionString;

const host = await FunctionsHost.start({ appDir: projectDir, port: Number(process.env.PORT ?? 7071) });
process.stdout.write(
  [
    `Quiesce is running on ${host.url}`,
    `  Azurite (data in .azurite/): blob ${azurite.ports.blob}, queue ${azurite.ports.queue}, table ${azurite.ports.table}`,
    ...host.functions.map((fn) => `  ${fn.name.padEnd(20)} ${fn.trigger.padEnd(6)} ${fn.detail}`),
    'Press Ctrl+C to stop.',
    '',
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void host
      .stop()
      .then(() => azurite.stop())
      .then(() => process.exit(0));
  });
}
