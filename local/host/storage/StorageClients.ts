import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';

import { resolveStorageConnectionString } from './storageConnection.js';

/** One client per storage connection and service, shared by every listener and output binding of the host. */
export class StorageClients {
  readonly #clients = new Map<string, QueueServiceClient | BlobServiceClient>();

  queueService(connectionName?: string): QueueServiceClient {
    return this.#cached('queue', connectionName, (cs) => QueueServiceClient.fromConnectionString(cs));
  }

  blobService(connectionName?: string): BlobServiceClient {
    return this.#cached('blob', connectionName, (cs) => BlobServiceClient.fromConnectionString(cs));
  }

  #cached<T extends QueueServiceClient | BlobServiceClient>(
    service: string,
    connectionName: string | undefined,
    create: (connectionString: string) => T,
  ): T {
    const connectionString = resolveStorageConnectionString(connectionName);
    const key = `${service}|${connectionString}`;
    let client = this.#clients.get(key) as T | undefined;
    if (!client) {
      client = create(connectionString);
      this.#clients.set(key, client);
    }
    return client;
  }
}
