import { z } from 'zod';

import { defineActivity } from '../shared/activity/ActivityContract.js';
import { CheckStorageEgressOutput } from './checkStorageEgress.contract.js';

export const PreflightOutput = z.object({
  /** Whether an agent key is enrolled for this VM: without one its replies cannot be trusted, so no ping is sent. */
  agentEnrolled: z.boolean(),
  /** The agent's last pong, if any, for the evidence. */
  lastPongAt: z.string().optional(),
  egress: CheckStorageEgressOutput,
});
export type PreflightOutput = z.infer<typeof PreflightOutput>;

/**
 * Step 2 of backupVm, the half that needs no guest: is an agent enrolled, and do the VM's effective NSG rules let it
 * reach Azure Storage on 443? The orchestrator then pings the agent over the queue.
 */
export const preflightContract = defineActivity(
  'preflight',
  z.object({ vmId: z.string().min(1), nicIds: z.array(z.string()), region: z.string().min(1) }),
  PreflightOutput,
);
