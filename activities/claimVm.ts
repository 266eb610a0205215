import { registerActivity } from '../shared/activity/registerActivity.js';
import { vmLocks } from '../shared/runs/defaultVmLocks.js';
import { claimVmContract } from './vmClaims.contract.js';

registerActivity(claimVmContract, ({ vmId, runId, ttlMinutes }) => vmLocks().claim(vmId, runId, ttlMinutes * 60_000));
