import { registerActivity } from '../shared/activity/registerActivity.js';
import { vmLocks } from '../shared/runs/defaultVmLocks.js';
import { releaseVmContract } from './vmClaims.contract.js';

registerActivity(releaseVmContract, async ({ vmId, runId }) => {
  await vmLocks().release(vmId, runId);
  return { released: true as const };
});
