import { registerActivity } from '../shared/activity/registerActivity.js';
import { vmLocks } from '../shared/runs/defaultVmLocks.js';
import { runDispatch } from '../shared/runs/RunDispatch.js';
import { inspectVm } from './inspectVm.js';
import { claimVmContract } from './vmClaims.contract.js';

registerActivity(claimVmContract, async ({ vmId, runId, ttlMinutes }) => {
  // Checked here too, not only by the run: a VM handed out just before a cancel starts after the cancel's fan-out.
  if (await runDispatch().isCanceled(runId)) return { claimed: false as const, runCanceled: true as const };
  const claim = await vmLocks().claim(vmId, runId, ttlMinutes * 60_000);
  return claim.claimed ? { ...claim, vm: await inspectVm({ vmId }) } : claim;
});
