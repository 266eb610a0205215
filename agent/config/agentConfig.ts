import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { commandQueueName, isValidQueueName, REPLY_QUEUE_NAME } from '../../shared/protocol/index.js';

const queueName = z
  .string()
  .refine(isValidQueueName, 'not a valid queue name (3-63 lowercase letters, digits, single hyphens)');

const ConnectionStringAuth = z.object({
  kind: z.literal('connectionString'),
  connectionString: z.string().min(1),
});

/** On Azure: the VM's managed identity (user-assigned when clientId is given) against the queue service URL. */
const ManagedIdentityAuth = z.object({
  kind: z.literal('managedIdentity'),
  queueServiceUrl: z.url({ protocol: /^https$/ }),
  clientId: z.string().optional(),
});

export const AgentConfigSchema = z
  .object({
    /** The VM's Azure resource id; commands for any other VM are rejected. */
    vmId: z.string().min(1),
    auth: z.discriminatedUnion('kind', [ConnectionStringAuth, ManagedIdentityAuth]),
    queues: z
      .object({ commandQueue: queueName.optional(), replyQueue: queueName.default(REPLY_QUEUE_NAME) })
      .default({ replyQueue: REPLY_QUEUE_NAME }),
    /** The service's Ed25519 public key (raw, base64url), which signs every command. */
    servicePublicKey: z.string().min(43).max(44),
    /** PKCS#8 PEM file with this agent's Ed25519 private key, which signs every reply. */
    agentPrivateKeyFile: z.string().min(1),
    scriptsDirectory: z.string().min(1),
    fsfreeze: z
      .object({
        enabled: z.boolean().default(true),
        binary: z.string().default('fsfreeze'),
        /** Held by the freeze holder; Azure Backup's own freezer is kept out by its own lock. */
        lockFile: z.string().default('/run/quiesce-agent/freeze.lock'),
        excludeMounts: z.array(z.string().startsWith('/')).default([]),
        /**
         * When set, the only mounts this agent may ever freeze (`all` means exactly these). Simulated fleets set it so
         * that a VM's agent can only freeze its own loop-mounted images, never the host's filesystems.
         */
        onlyMounts: z.array(z.string().startsWith('/')).min(1).optional(),
        mountInfoPath: z.string().default('/proc/self/mountinfo'),
      })
      .prefault({}),
    vss: z
      .object({
        /** The helper executable; with args, e.g. node and the simulated helper script. */
        helperPath: z.string().min(1),
        helperArgs: z.array(z.string()).default([]),
      })
      .optional(),
    limits: z
      .object({
        maxFrozenSeconds: z.number().int().min(1).max(600).default(120),
        /** Extra time the freeze holder waits past the watchdog, as the last line of defence. */
        holderGraceSeconds: z.number().int().min(1).max(60).default(5),
        outputTailBytes: z.number().int().min(256).max(16_384).default(4096),
        maxScriptTimeoutSeconds: z.number().int().min(1).max(3600).default(1800),
      })
      .prefault({}),
    polling: z
      .object({
        /** While a freeze is held: the thaw command is all the guest waits for, inside the freeze window. */
        frozenIntervalMs: z.number().int().min(10).max(5000).default(50),
        /** While a backup is in progress, and after any command: for 5 s, then doubling every 5 s for `busyLingerMs`. */
        busyIntervalMs: z.number().int().min(10).max(5000).default(100),
        idleIntervalMs: z.number().int().min(100).max(300_000).default(5000),
        busyLingerMs: z.number().int().min(0).max(3_600_000).default(120_000),
        /** The longest wait between polls while the queue service fails. */
        maxOutageBackoffMs: z.number().int().min(100).max(300_000).default(30_000),
        jitter: z.number().min(0).max(0.5).default(0.2),
      })
      .prefault({}),
    /** What the pong reports as the OS family; only simulated fleets set it (a Linux process posing as Windows). */
    reportOs: z.enum(['linux', 'windows']).optional(),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  })
  .transform((config) => ({
    ...config,
    queues: { ...config.queues, commandQueue: config.queues.commandQueue ?? commandQueueName(config.vmId) },
  }));

export type AgentConfig = z.output<typeof AgentConfigSchema>;

export class AgentConfigError extends Error {
  override name = 'AgentConfigError';
}

/** Loads a JSON or YAML config; every problem is reported with its path. Relative paths are relative to the file. */
export async function loadAgentConfig(file: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    throw new AgentConfigError(`cannot read config ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let raw: unknown;
  try {
    raw = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (error: unknown) {
    throw new AgentConfigError(
      `config ${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${String(error)}`,
    );
  }
  const result = AgentConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new AgentConfigError(`config ${file} is invalid:\n${problems.join('\n')}`);
  }
  const base = path.dirname(path.resolve(file));
  const config = result.data;
  return {
    ...config,
    agentPrivateKeyFile: path.resolve(base, config.agentPrivateKeyFile),
    scriptsDirectory: path.resolve(base, config.scriptsDirectory),
  };
}
