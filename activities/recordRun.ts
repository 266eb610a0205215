import { registerActivity } from '../shared/activity/registerActivity.js';
import { runStore } from '../shared/results/defaultRunStore.js';
import { recordRunContract } from './recordResults.contract.js';

registerActivity(recordRunContract, async (run) => {
  await runStore().putRun(run);
  return { recorded: true as const };
});
