import { TableClient } from '@azure/data-tables';
import { ManagedIdentityCredential } from '@azure/identity';

import { type Config, getConfig } from '../config.js';

const clients = new Map<string, Promise<TableClient>>();

/**
 * A client for one of the app's tables (`<prefix><name>`), created on first use. Connection string locally (Azurite
 * over plain HTTP); managed identity against the account's table endpoint on Azure.
 */
export function tableClient(name: string, config: Config = getConfig()): Promise<TableClient> {
  const tableName = `${config.QUIESCE_TABLE_PREFIX}${name}`;
  let client = clients.get(tableName);
  if (!client) {
    const created = createClient(tableName, config);
    client = created.then(async (table) => {
      await table.createTable();
      return table;
    });
    client.catch(() => clients.delete(tableName));
    clients.set(tableName, client);
  }
  return client;
}

function createClient(tableName: string, config: Config): Promise<TableClient> {
  if (config.AzureWebJobsStorage) {
    const insecure = /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(config.AzureWebJobsStorage);
    return Promise.resolve(
      TableClient.fromConnectionString(config.AzureWebJobsStorage, tableName, { allowInsecureConnection: insecure }),
    );
  }
  const credential = new ManagedIdentityCredential(
    config.AzureWebJobsStorage__clientId ? { clientId: config.AzureWebJobsStorage__clientId } : {},
  );
  return Promise.resolve(new TableClient(config.AzureWebJobsStorage__tableServiceUri ?? '', tableName, credential));
}
