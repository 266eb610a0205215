import { registerActivity } from '../shared/activity/registerActivity.js';
import { runDispatch } from '../shared/runs/RunDispatch.js';
import {
  cancelRunDispatchContract,
  closeRunDispatchContract,
  openRunDispatchContract,
  takeNextTargetContract,
} from './runDispatch.contract.js';

registerActivity(openRunDispatchContract, async ({ runId, targets, handedOut }) => {
  await runDispatch().open(runId, targets, handedOut);
  return { opened: true as const };
});

registerActivity(takeNextTargetContract, async ({ runId, lane, seq }) => {
  const taken = await runDispatch().take(runId, lane, seq);
  return taken ?? {};
});

registerActivity(cancelRunDispatchContract, async ({ runId }) => {
  await runDispatch().cancel(runId);
  return { canceled: true as const };
});

registerActivity(closeRunDispatchContract, async ({ runId }) => {
  const state = await runDispatch().close(runId);
  return { notHandedOut: state?.remaining ?? [] };
});
