import type { BlobLeaseClient, ContainerClient } from '@azure/storage-blob';

import type { Logger } from '../logger.js';

const LEASE_SECONDS = 60;
const RENEW_EVERY_MS = 20_000;
const RETRY_ACQUIRE_EVERY_MS = 10_000;

/**
 * A renewed blob lease: the singleton lock the Functions host takes for each timer listener, and the app lease a
 * durable task hub takes, so that of several hosts sharing a storage account only the holder does the work.
 */
export class BlobLease {
  readonly #container: ContainerClient;
  readonly #blobName: string;
  readonly #logger: Logger;
  #lease: BlobLeaseClient | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(container: ContainerClient, blobName: string, logger: Logger) {
    this.#container = container;
    this.#blobName = blobName;
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
            this.#logger.warn({ err: error, lock: this.#blobName }, 'Lost the lease');
            clearInterval(this.#renewTimer);
            this.#lease = undefined;
            onLost();
          });
        }, RENEW_EVERY_MS);
        return true;
      } catch (error: unknown) {
        if ((error as { statusCode?: number }).statusCode !== 409) throw error;
        this.#logger.info({ lock: this.#blobName }, 'The lease is held by another host; retrying');
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
