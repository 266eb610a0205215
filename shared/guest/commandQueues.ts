import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { ManagedIdentityCredential } from '@azure/identity';
import type { QueueClient } from '@azure/storage-queue';
import { QueueServiceClient } from '@azure/storage-queue';

import { type Config, getConfig } from '../config.js';
import { commandQueueName, importPrivateKey } from '../protocol/index.js';

let serviceKey: Promise<KeyObject> | undefined;

/** The service's signing key, read once from QUIESCE_SERVICE_KEY_FILE. */
export function loadServiceKey(config: Config = getConfig()): Promise<KeyObject> {
  const file = config.QUIESCE_SERVICE_KEY_FILE;
  if (!file)
    return Promise.reject(new Error('QUIESCE_SERVICE_KEY_FILE is not set: the service cannot sign guest commands.'));
  serviceKey ??= readFile(file, 'utf8').then(importPrivateKey);
  serviceKey.catch(() => (serviceKey = undefined));
  return serviceKey;
}

let queues: QueueServiceClient | undefined;

/** The command queue of a VM's agent, in the app's storage account (connection string, or managed identity). */
export function commandQueueFor(vmId: string, config: Config = getConfig()): QueueClient {
  queues ??= config.AzureWebJobsStorage
    ? QueueServiceClient.fromConnectionString(config.AzureWebJobsStorage)
    : new QueueServiceClient(
        config.AzureWebJobsStorage__queueServiceUri ?? '',
        new ManagedIdentityCredential(
          config.AzureWebJobsStorage__clientId ? { clientId: config.AzureWebJobsStorage__clientId } : {},
        ),
      );
  return queues.getQueueClient(commandQueueName(vmId));
}
