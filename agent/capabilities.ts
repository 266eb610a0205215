import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import os from 'node:os';

import { type PongBody, PROTOCOL_VERSION } from '../shared/protocol/index.js';
import type { AgentConfig } from './config/agentConfig.js';
import { resolveScript } from './scripts/resolveScript.js';
import { AGENT_VERSION } from './version.js';
import type { StandbyVssHelper } from './vss/StandbyVssHelper.js';

function fsfreezeCapability(config: AgentConfig): Promise<PongBody['quiescers']['fsfreeze']> {
  if (process.platform !== 'linux') return Promise.resolve({ usable: false, reason: 'not Linux' });
  if (!config.fsfreeze.enabled) return Promise.resolve({ usable: false, reason: 'disabled in the agent config' });
  if (process.getuid?.() !== 0) return Promise.resolve({ usable: false, reason: 'the agent does not run as root' });
  return new Promise((resolve) =>
    execFile(config.fsfreeze.binary, ['--version'], { timeout: 5000 }, (error) =>
      resolve(error ? { usable: false, reason: `${config.fsfreeze.binary}: ${error.message}` } : { usable: true }),
    ),
  );
}

/**
 * What the pong reports: OS, version, which quiescers work here, and whether the scripts the service named exist.
 * `vss` is the agent's VSS helper when one is configured; probing it starts the helper and waits for it to be ready.
 */
export async function capabilities(
  config: AgentConfig,
  scriptNames: string[],
  busyWithRunId: string | null,
  vss: Pick<StandbyVssHelper, 'probe'> | undefined,
): Promise<PongBody> {
  const [fsfreeze, vssCapability, scriptsDirectory, scripts] = await Promise.all([
    fsfreezeCapability(config),
    vss ? vss.probe() : Promise.resolve({ usable: false, reason: 'no VSS helper configured' }),
    access(config.scriptsDirectory).then(
      () => ({ usable: true }),
      () => ({ usable: false, reason: `${config.scriptsDirectory} does not exist` }),
    ),
    Promise.all(
      scriptNames.map(async (name) => {
        const resolved = await resolveScript(config.scriptsDirectory, name);
        return resolved.ok
          ? { name, exists: true }
          : { name, exists: resolved.code !== 'SCRIPT_NOT_FOUND', problem: resolved.message };
      }),
    ),
  ]);
  return {
    agentVersion: AGENT_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    os: {
      family: config.reportOs ?? (process.platform === 'win32' ? 'windows' : 'linux'),
      platform: process.platform,
      release: os.release(),
      arch: process.arch,
    },
    quiescers: { scripts: scriptsDirectory, fsfreeze, vss: vssCapability },
    scripts,
    busyWithRunId,
  };
}
