import { z } from 'zod';

import { defineActivity } from '../shared/activity/ActivityContract.js';
import { RunRecord, VmResult } from '../shared/results/RunStore.js';

const Recorded = z.object({ recorded: z.literal(true) });

/** A run's record in Table storage: written Running when it starts and again with its final status. */
export const recordRunContract = defineActivity('recordRun', RunRecord, Recorded);

/** One VM's result with its verdict and evidence, in Table storage. */
export const recordResultContract = defineActivity('recordResult', VmResult, Recorded);
