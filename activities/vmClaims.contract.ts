import { z } from 'zod';

import { defineActivity } from '../shared/activity/ActivityContract.js';
import { InspectVmOutput } from './inspectVm.contract.js';

const VmClaim = z.object({ vmId: z.string().min(1), runId: z.string().min(1) });

/**
 * Claims a VM for a run (one VM is never in two runs at once); expires after `ttlMinutes` if never released. A VM of
 * a run canceled before it started is not claimed (`runCanceled`). Once claimed, the VM is inspected (step 1) in the
 * same activity: one episode fewer per VM. `etag` is the claim's, for its release.
 */
export const claimVmContract = defineActivity(
  'claimVm',
  VmClaim.extend({ ttlMinutes: z.number().int().min(1).max(1440).default(120) }),
  z.union([
    z.object({ claimed: z.literal(true), etag: z.string(), vm: InspectVmOutput }),
    z.object({ claimed: z.literal(false), heldBy: z.string(), since: z.string() }),
    z.object({ claimed: z.literal(false), runCanceled: z.literal(true) }),
  ]),
);
