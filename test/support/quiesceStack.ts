import {
  type QuiesceStack,
  type StackRun,
  type StackVmResult,
  startQuiesceStack as startStack,
} from '../../local/stack/quiesceStack.js';
import { FAST_SIMULATOR } from './armSimProcess.js';

export type { QuiesceStack, StackRun, StackVmResult };

/** Agents poll fast in tests: the freeze window is measured, not waited for. */
export const FAST_AGENT_POLLING = { frozenIntervalMs: 20, busyIntervalMs: 20, idleIntervalMs: 100 };

/** The whole stack for end-to-end tests: the simulator answers fast unless the fleet brings its own settings. */
export function startQuiesceStack(
  fleet: { subscriptionId: string; vms: object[]; simulator?: object },
  hostEnv: Record<string, string> = {},
): Promise<QuiesceStack> {
  return startStack({ simulator: FAST_SIMULATOR, ...fleet }, { name: 'e2e', hostEnv });
}

/** The one result of a VM in a run, by name. */
export function resultOf(run: StackRun, vmName: string): StackVmResult {
  const result = run.results.find((r) => r.vmName === vmName);
  if (!result) throw new Error(`no result for ${vmName} in ${JSON.stringify(run.results.map((r) => r.vmName))}`);
  return result;
}
