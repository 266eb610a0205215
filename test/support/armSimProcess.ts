export { ARM_SIM_CLI, type ArmSimProcess, type RawResponse, startArmSim } from '../../local/stack/armSimProcess.js';

/** Settings that keep the shape of Azure's timing but answer fast. */
export const FAST_SIMULATOR = {
  lro: { retryAfterSeconds: 0 },
  latency: {
    scale: 1,
    readMs: [0, 0],
    listMs: [0, 0],
    writeAcceptMs: [0, 0],
    snapshotStartDelayMs: [20, 40],
    snapshotOperationMs: [20, 40],
    deleteOperationMs: [10, 20],
    backgroundCopyMs: [0, 0],
    nsgOperationMs: [10, 20],
  },
};

/** A VM entry for fleet files in tests. */
export function testVm(name: string, resourceGroup = 'rg-test', extra: Record<string, unknown> = {}): object {
  return { name, resourceGroup, os: 'linux', ...extra };
}
