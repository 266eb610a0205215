import { parseArgs } from 'node:util';

import { runSimulatedVssHelper, SimulatorOptions } from './runSimulatedVssHelper.js';

/**
 * The simulated VSS helper's own entry point (`dist/agent/quiesce-vss-simulator.mjs`, beside the agent's bundle), the
 * same as `quiesce-agent simulate-vss-helper`. A real helper is a small native program; started from the agent's
 * whole bundle, each simulated Windows freeze spent a third of a CPU-second loading SDKs it never uses, on the cores
 * the other simulated VMs' freeze windows share.
 */
const { values } = parseArgs({
  options: {
    'hold-writes-ms': { type: 'string' },
    'writer-timeout-ms': { type: 'string' },
    writers: { type: 'string' },
  },
});
const number = (text: string | undefined) => (text === undefined ? undefined : Number(text));
const options = SimulatorOptions.safeParse({
  holdWritesMs: number(values['hold-writes-ms']),
  writerTimeoutMs: number(values['writer-timeout-ms']),
  writers: values.writers === undefined ? undefined : (JSON.parse(values.writers) as unknown),
});
if (!options.success) {
  process.stderr.write(`quiesce-vss-simulator: ${options.error.message}\n`);
  process.exit(2);
}
process.exitCode = await runSimulatedVssHelper(options.data);
