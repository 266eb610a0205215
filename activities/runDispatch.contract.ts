import { z } from 'zod';

import { defineActivity } from '../shared/activity/ActivityContract.js';
import { LaneTake, RunTarget } from '../shared/runs/runInputs.js';

const RunId = z.object({ runId: z.string().min(1) });

/** Opens a run's dispatch: its targets, of which the first `handedOut` went straight to the lanes. */
export const openRunDispatchContract = defineActivity(
  'openRunDispatch',
  RunId.extend({ targets: z.array(RunTarget), handedOut: z.number().int().min(0) }),
  z.object({ opened: z.literal(true) }),
);

/** A lane's next VM (`seq` numbers the lane's takes, so a retried take gets the same VM), or none: the lane ends. */
export const takeNextTargetContract = defineActivity(
  'takeNextTarget',
  RunId.extend(LaneTake.shape),
  z.object({ target: RunTarget.optional(), index: z.number().int().optional() }),
);

/** Stops handing out VMs (a cancel): the lanes end after the VM each has in flight. */
export const cancelRunDispatchContract = defineActivity(
  'cancelRunDispatch',
  RunId,
  z.object({ canceled: z.literal(true) }),
);

/** Ends the dispatch; `notHandedOut` lists the indices of the targets never started (after a cancel), in order. */
export const closeRunDispatchContract = defineActivity(
  'closeRunDispatch',
  RunId,
  z.object({ notHandedOut: z.array(z.number().int().min(0)) }),
);
