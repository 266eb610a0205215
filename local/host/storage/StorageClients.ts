import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';

import { resolveStorageConnectionString } from './storageConnection.js';

/** One client per storage connection, shared by every listener and output binding of the host. */
export class StorageClients {
  readonly #queueServices = new Map<string, QueueServiceClient>();
  readonly #blobServices = new Map<string, BlobServiceClient>();

  queueService(connectionName?: string): QueueServiceClient {
    const connectionString = resolveStorageConnectionString(connectionName);
    let client = this.#queueServices.get(connectionString);
    if (!client) {
      client = QueueServiceClient.fromConnectionString(connectionString);
      this.#queueServices.set(connectionString, client);
    }
    return client;
  }

  blobService(connectionName?: string): BlobServiceClient {
    const connectionString = resolveStorageConnectionString(connectionName);
    let client = this.#blobServices.get(connectionString);
    if (!client) {
      client = BlobServiceClient.fromConnectionString(connectionString);
      this.#blobServices.set(connectionString, client);
    }
    return client;
  }
}
