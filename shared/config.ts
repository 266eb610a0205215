import { z } from 'zod';

/**
 * The app's settings, parsed once from the environment (app settings on Azure, local.settings.json locally). Nothing
 * else reads process.env. Storage is a connection string locally; on Azure, an account endpoint with managed identity.
 */
const Config = z
  .object({
    AzureWebJobsStorage: z.string().min(1).optional(),
    AzureWebJobsStorage__tableServiceUri: z.url().optional(),
    AzureWebJobsStorage__clientId: z.string().optional(),
    /** ARM: Azure's by default; locally the simulator's endpoint and the PEM it wrote, with a local token. */
    QUIESCE_ARM_ENDPOINT: z.url().default('https://management.azure.com'),
    QUIESCE_ARM_CA_CERT_PATH: z.string().min(1).optional(),
    QUIESCE_ARM_CREDENTIAL: z.enum(['managed-identity', 'local']).default('managed-identity'),
    AZURE_CLIENT_ID: z.string().optional(),
    AzureWebJobsStorage__queueServiceUri: z.url().optional(),
    /** PKCS#8 PEM with the service's Ed25519 key, which signs every command to the agents. */
    QUIESCE_SERVICE_KEY_FILE: z.string().min(1).optional(),
    /** Subscriptions searched for VMs when a policy targets only tags (comma-separated). */
    QUIESCE_SUBSCRIPTION_IDS: z
      .string()
      .default('')
      .transform((text) =>
        text
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean),
      ),
    /** A slot missed while the app was down is caught up if it is at most this old. */
    QUIESCE_SCHEDULE_GRACE_MINUTES: z.coerce.number().int().min(0).max(1440).default(60),
    QUIESCE_TABLE_PREFIX: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{0,20}$/, 'letters and digits, starting with a letter')
      .default('Quiesce'),
  })
  .refine((c) => c.AzureWebJobsStorage || c.AzureWebJobsStorage__tableServiceUri, {
    message:
      'Set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__tableServiceUri (managed identity).',
  });
export type Config = z.infer<typeof Config>;

let parsed: Config | undefined;

export function getConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (env !== process.env) return parseConfig(env);
  parsed ??= parseConfig(env);
  return parsed;
}

function parseConfig(env: NodeJS.ProcessEnv): Config {
  const result = Config.safeParse(env);
  if (!result.success) throw new Error(`Invalid Quiesce settings:\n${z.prettifyError(result.error)}`);
  return result.data;
}
