/** The Azurite account every emulator ships with (public, documented by Microsoft). */
export const DEVELOPMENT_ACCOUNT_NAME = 'devstoreaccount1';
export const DEVELOPMENT_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface DevelopmentStoragePorts {
  blob: number;
  queue: number;
  table: number;
}

export function developmentConnectionString(ports: DevelopmentStoragePorts, host = '127.0.0.1'): string {
  const endpoint = (port: number) => `http://${host}:${port}/${DEVELOPMENT_ACCOUNT_NAME}`;
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEVELOPMENT_ACCOUNT_NAME}`,
    `AccountKey=${DEVELOPMENT_ACCOUNT_KEY}`,
    `BlobEndpoint=${endpoint(ports.blob)}`,
    `QueueEndpoint=${endpoint(ports.queue)}`,
    `TableEndpoint=${endpoint(ports.table)}`,
  ].join(';');
}

/**
 * Resolves a binding's `connection` the way the host does: the app setting of that name, else `AzureWebJobs<name>`;
 * `UseDevelopmentStorage=true` means Azurite on its default ports.
 */
export function resolveStorageConnectionString(
  connectionName: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const name = connectionName || 'AzureWebJobsStorage';
  const value = env[name] ?? env[`AzureWebJobs${name}`];
  if (!value) {
    const identityBased = Object.keys(env).some((key) => key.startsWith(`${name}__`));
    throw new Error(
      identityBased
        ? `Connection "${name}" is identity-based (${name}__*); the local host supports connection strings only.`
        : `Storage connection "${name}" is not set. Set the app setting ${name} (environment or local.settings.json).`,
    );
  }
  if (value.replace(/\s/g, '').toLowerCase() === 'usedevelopmentstorage=true') {
    return developmentConnectionString({ blob: 10000, queue: 10001, table: 10002 });
  }
  return value;
}
