import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ApiClient } from '../cli/apiClient.js';
import { enrollFromFile } from '../cli/enrollFromFile.js';
import { exportPrivateKeyPem, generateSigningKeyPair } from '../shared/protocol/index.js';
import { startAzurite } from './azurite/startAzurite.js';
import { runDemoBackup } from './demoBackup.js';
import { FleetAgents } from './fleet/FleetAgents.js';
import { loadFleet } from './fleet/loadFleet.js';
import { runFleet } from './fleet/runFleet.js';
import { FunctionsHost } from './host/FunctionsHost.js';
import { createLogger } from './host/logger.js';

/**
 * `npm start`: Azurite (data in .azurite/), the ARM simulator with the demo fleet and one real agent per VM (state in
 * .quiesce/), and the local Functions host running this app, wired together through the app's settings.
 */
const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fleetFile = process.env.QUIESCE_FLEET ?? path.join(projectDir, 'local/fleet/examples/demo.yaml');
const stateDir = path.join(projectDir, '.quiesce');
const logger = createLogger(process.env.QUIESCE_LOG_LEVEL ?? 'Warning');

const azurite = await startAzurite({ location: path.join(projectDir, '.azurite') });
const serviceKeys = generateSigningKeyPair();
await mkdir(stateDir, { recursive: true });
const serviceKeyPath = path.join(stateDir, 'service-signing-key.pem');
await writeFile(serviceKeyPath, exportPrivateKeyPem(serviceKeys.privateKey), { mode: 0o600 });

const fleet = await loadFleet(fleetFile);
const agents = new FleetAgents({
  connectionString: azurite.connectionString,
  servicePublicKey: serviceKeys.publicKey,
  dataDir: path.join(stateDir, 'fleet'),
  fleetDir: path.dirname(fleetFile),
  logger,
});
const simulator = (
  await runFleet({ fleet, dataDir: path.join(stateDir, 'fleet'), logger, hooks: { onVmReady: agents.onVmReady } })
).simulator;

const enrollmentFile = path.join(stateDir, 'fleet', 'enrollment.json');
Object.assign(process.env, {
  AzureWebJobsStorage: azurite.connectionString,
  QUIESCE_TASK_HUB: process.env.QUIESCE_TASK_HUB ?? 'QuiesceHub',
  QUIESCE_ARM_ENDPOINT: simulator.endpoint,
  QUIESCE_ARM_CREDENTIAL: 'local',
  QUIESCE_ARM_CA_CERT_PATH: simulator.caCertPath,
  QUIESCE_SUBSCRIPTION_IDS: fleet.subscriptionId,
  QUIESCE_SERVICE_KEY_FILE: serviceKeyPath,
  QUIESCE_ENROLLMENT_FILE: enrollmentFile,
});
const host = await FunctionsHost.start({ appDir: projectDir, port: Number(process.env.PORT ?? 7071), logger });
// What `quiesce agents import .quiesce/fleet/enrollment.json` does: the fleet's agents are trusted from the start.
if (agents.enrollments.length > 0) {
  const api = new ApiClient(host.url);
  await enrollFromFile(enrollmentFile, (vmId, publicKey) => api.request('POST', 'agents', { vmId, publicKey }));
}

process.stdout.write(
  [
    `Quiesce is running on ${host.url}`,
    `  Azurite (data in .azurite/): blob ${azurite.ports.blob}, queue ${azurite.ports.queue}, table ${azurite.ports.table}`,
    `  ARM simulator: ${simulator.endpoint} (subscription ${fleet.subscriptionId}, control ${simulator.controlUrl})`,
    `  Fleet ${path.relative(projectDir, fleetFile)}: ${fleet.vms.length} VMs, ${agents.enrollments.length} real agents (${agents.enrollments.map((e) => `${e.name}/${e.os}`).join(', ')})`,
    ...host.functions.map((fn) => `  ${fn.name.padEnd(20)} ${fn.trigger.padEnd(13)} ${fn.detail}`),
    'Press Ctrl+C to stop.',
    '',
  ].join('\n'),
);

if (process.env.QUIESCE_SKIP_DEMO !== '1') {
  process.stdout.write('Running the demo policy once (on demand)…\n');
  process.stdout.write(await runDemoBackup(new ApiClient(host.url)));
  process.stdout.write(`More: npm run -s quiesce -- runs list   (API ${host.url}/api/runs)\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void host
      .stop()
      .then(() => agents.stop())
      .then(() => simulator.stop())
      .then(() => azurite.stop())
      .then(() => process.exit(0));
  });
}
