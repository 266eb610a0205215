import type { PongBody } from '../../shared/protocol/index.js';

/** A pong body as a Linux agent without root sends it: scripts usable, fsfreeze and VSS not. */
export const SAMPLE_PONG: PongBody = {
  agentVersion: '1.2.0',
  protocolVersion: 1,
  os: { family: 'linux', platform: 'linux', release: '6.8', arch: 'x64' },
  quiescers: {
    scripts: { usable: true },
    fsfreeze: { usable: false, reason: 'not root' },
    vss: { usable: false, reason: 'not Windows' },
  },
  scripts: [],
  busyWithRunId: null,
};
