import { z } from 'zod';

import { VmResourceId } from '../arm/resourceId.js';
import { exportPublicKey, importPublicKey, PongBody } from '../protocol/index.js';

/** A raw Ed25519 public key (32 bytes) in base64url or base64, normalised to base64url. */
export const AgentPublicKey = z.string().transform((text, context) => {
  try {
    return exportPublicKey(importPublicKey(text));
  } catch {
    context.addIssue({ code: 'custom', message: 'must be a raw Ed25519 public key: 32 bytes, base64url or base64' });
    return z.NEVER;
  }
});

export const Enrollment = z.strictObject({ vmId: VmResourceId, publicKey: AgentPublicKey });
export type Enrollment = z.output<typeof Enrollment>;

/** One enrolled VM: the key its agent signs replies with, and what its last pong said. */
export const AgentRecord = z.object({
  vmId: z.string(),
  publicKey: z.string(),
  enrolledAt: z.iso.datetime(),
  lastPongAt: z.iso.datetime().optional(),
  agentVersion: z.string().optional(),
  protocolVersion: z.number().int().optional(),
  os: PongBody.shape.os.optional(),
  /** Which quiescers the agent can use (scripts, fsfreeze, VSS), and why not when it cannot. */
  capabilities: PongBody.shape.quiescers.optional(),
});
export type AgentRecord = z.infer<typeof AgentRecord>;
