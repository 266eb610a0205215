import { ArmSimulator } from '../arm/ArmSimulator.js';
import { SimSettings, type SimSettingsInput } from '../arm/simSettings.js';
import type { Logger } from '../host/logger.js';
import type { AgentSettings, FleetFile } from './FleetFile.js';
import { populateInventory } from './populateInventory.js';

/** What a VM's guest needs to know: handed to onVmReady, e.g. to start one real agent process per VM. */
export interface FleetVmReady {
  vmResourceId: string;
  name: string;
  resourceGroup: string;
  os: 'linux' | 'windows';
  agent: AgentSettings;
  /** Backing files of the VM's disks, by disk resource id (only file-backed disks). */
  diskFiles: Record<string, string>;
  arm: { endpoint: string; caCertPath: string; subscriptionId: string };
}

export interface FleetHooks {
  /** Called once per VM whose agent is installed, after the simulator is up; a throw stops the fleet. */
  onVmReady?(vm: FleetVmReady): Promise<void> | void;
}

export interface RunningFleet {
  simulator: ArmSimulator;
  fleet: FleetFile;
  stop(): Promise<void>;
}

/** Starts the ARM simulator with the fleet's inventory, settings and faults, then tells the hooks about each VM. */
export async function runFleet(options: {
  fleet: FleetFile;
  dataDir: string;
  port?: number;
  hostname?: string;
  logger: Logger;
  /** Overrides of the fleet file's `simulator` settings (e.g. from the command line). */
  settings?: SimSettingsInput;
  hooks?: FleetHooks;
}): Promise<RunningFleet> {
  const { fleet, logger } = options;
  const inventory = populateInventory(fleet);
  const settings = SimSettings.parse(
    mergeDeep({ ...fleet.simulator, location: fleet.location }, options.settings ?? {}),
  );
  const simulator = await ArmSimulator.start({
    inventory,
    settings,
    faults: fleet.faults,
    dataDir: options.dataDir,
    port: options.port,
    hostname: options.hostname,
    logger,
  });
  const running: RunningFleet = { simulator, fleet, stop: () => simulator.stop() };
  try {
    for (const vm of inventory.vms.list()) {
      const spec = fleet.vms.find((v) => v.name === vm.name && v.resourceGroup === vm.resourceGroup);
      if (!spec?.agent.installed || !options.hooks?.onVmReady) continue;
      const diskFiles: Record<string, string> = {};
      for (const diskId of [vm.osDiskId, ...vm.dataDisks.map((d) => d.diskId)]) {
        const file = inventory.disks.get(diskId)?.file;
        if (file !== undefined) diskFiles[diskId] = file;
      }
      await options.hooks.onVmReady({
        vmResourceId: vm.id,
        name: vm.name,
        resourceGroup: vm.resourceGroup,
        os: vm.os,
        agent: spec.agent,
        diskFiles,
        arm: { endpoint: simulator.endpoint, caCertPath: simulator.caCertPath, subscriptionId: fleet.subscriptionId },
      });
    }
  } catch (error: unknown) {
    await simulator.stop();
    throw error;
  }
  return running;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeDeep(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? mergeDeep(current, value) : value;
  }
  return merged;
}
