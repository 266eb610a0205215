import type { BlobLeaseClient, ContainerClient } from '@azure/storage-blob';

import type { Logger } from '../logger.js';

const LEASE_SECONDS = 60;
const RENEW_EVERY_MS = 20_000;
const RETRY_ACQUIRE_EVERY_MS = 10_000;

/**
 * The singleton listener lock the Functions host takes for each timer (a blob lease on
 * `azure-webjobs-hosts/locks/<hostId>/Host.Functions.<name>.Listener`): when several hosts share a storage account,
 * only the holder runs the schedule.
 */
export class ListenerLease {
  readonly #container: ContainerClient;
  readonly #blobName: string;
  readonly #logger: Logger;
  #lease: BlobLeaseClient | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(container: ContainerClient, hostId: string, functionName: string, logger: Logger) {
    this.#container = container;
    this.#blobName = `locks/${hostId}/Host.Functions.${functionName}.Listener`;
    this.#logger = logger;
  }

  /** Resolves once the lease is held, or false if stopped first. Calls `onLost` if a renewal ever fails. */
  async acquire(onLost: () => void): Promise<boolean> {
    await this.#container.createIfNotExists();
    const blob = this.#container.getBlockBlobClient(this.#blobName);
    if (!(await blob.exists())) await blob.upload('', 0).catch(() => undefined);
    while (!this.#stopped) {
      const lease = blob.getBlobLeaseClient();
      try {
        await lease.acquireLease(LEASE_SECONDS);
        this.#lease = lease;
        this.#renewTimer = setInterval(() => {
          lease.renewLease().catch((error: unknown) => {
            this.#logger.warn({ err: error, lock: this.#blobName }, 'Lost the timer listener lock');
            clearInterval(this.#renewTimer);
            this.#lease = undefined;
            onLost();
          });
        }, RENEW_EVERY_MS);
        return true;
      } catch (error: unknown) {
        if ((error as { statusCode?: number }).statusCode !== 409) throw error;
        this.#logger.debug({ lock: this.#blobName }, 'Timer listener lock is held by another host; retrying');
        await new Promise((resolve) => setTimeout(resolve, RETRY_ACQUIRE_EVERY_MS).unref());
      }
    }
    return false;
  }

  async release(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#renewTimer);
    await this.#lease?.releaseLease().catch(() => undefined);
    this.#lease = undefined;
  }
}
