import { registerActivity } from '../shared/activity/registerActivity.js';
import { agentRegistry } from '../shared/agents/defaultAgentRegistry.js';
import type { CheckStorageEgressOutput } from './checkStorageEgress.contract.js';
import { checkStorageEgress } from './checkStorageEgress.js';
import { preflightContract, type PreflightOutput } from './preflight.contract.js';

export interface PreflightDeps {
  agent(vmId: string): Promise<{ lastPongAt?: string } | undefined>;
  egress(nicIds: string[], region: string): Promise<CheckStorageEgressOutput>;
}

export async function preflight(
  input: { vmId: string; nicIds: string[]; region: string },
  deps: PreflightDeps,
): Promise<PreflightOutput> {
  const [agent, egress] = await Promise.all([
    deps.agent(input.vmId),
    input.nicIds.length > 0
      ? deps.egress(input.nicIds, input.region)
      : Promise.resolve<CheckStorageEgressOutput>({ checked: false, reason: 'the VM has no network interface' }),
  ]);
  return {
    agentEnrolled: agent !== undefined,
    ...(agent?.lastPongAt ? { lastPongAt: agent.lastPongAt } : {}),
    egress,
  };
}

registerActivity(preflightContract, (input) =>
  preflight(input, {
    agent: (vmId) => agentRegistry().get(vmId),
    egress: (nicIds, region) => checkStorageEgress({ nicIds, region }),
  }),
);
