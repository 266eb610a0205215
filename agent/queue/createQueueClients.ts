import { ManagedIdentityCredential } from '@azure/identity';
import { type QueueClient, QueueServiceClient } from '@azure/storage-queue';

import type { AgentConfig } from '../config/agentConfig.js';

export interface QueueClients {
  commands: QueueClient;
  replies: QueueClient;
  /** Only with a connection string (local, fleet): the agent may create missing queues. On Azure the service does. */
  mayCreateQueues: boolean;
}

/** Connection string locally; on Azure the VM's managed identity (no secret on the VM). */
export function createQueueClients(config: AgentConfig): QueueClients {
  const { auth, queues } = config;
  const retryOptions = { maxTries: 1 }; // the poller has its own back-off; a frozen window has no time for SDK retries
  const service =
    auth.kind === 'connectionString'
      ? QueueServiceClient.fromConnectionString(auth.connectionString, { retryOptions })
      : new QueueServiceClient(
          auth.queueServiceUrl,
          new ManagedIdentityCredential(auth.clientId ? { clientId: auth.clientId } : {}),
          { retryOptions },
        );
  return {
    commands: service.getQueueClient(queues.commandQueue),
    replies: service.getQueueClient(queues.replyQueue),
    mayCreateQueues: auth.kind === 'connectionString',
  };
}
