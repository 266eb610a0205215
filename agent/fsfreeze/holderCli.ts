import { HolderSpec } from './holderProtocol.js';
import { runFreezeHolder } from './runFreezeHolder.js';

/**
 * The freeze holder's own entry point (`dist/agent/quiesce-freeze-holder.mjs`, beside the agent's bundle): a bundle of
 * a few dozen kilobytes that starts in about a third of the agent bundle's time. The agent starts one per freeze, and
 * on a host running many agents that start-up lands inside the other VMs' freeze windows.
 */
const [command, spec] = process.argv.slice(2);
if (command !== '__hold-freeze' || spec === undefined) {
  process.stderr.write('usage: quiesce-freeze-holder __hold-freeze <spec>\n');
  process.exit(2);
}
process.exit(await runFreezeHolder(HolderSpec.parse(JSON.parse(spec))));
