import { registerActivity } from '../shared/activity/registerActivity.js';
import { runStore } from '../shared/results/defaultRunStore.js';
import { recordResultContract } from './recordResults.contract.js';

registerActivity(recordResultContract, async (result) => {
  await runStore().putVmResult(result);
  return { recorded: true as const };
});
