import os from 'node:os';

import type { BlobLeaseClient, BlockBlobClient, ContainerClient } from '@azure/storage-blob';

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
        await blob.setMetadata(
          { ownerhost: os.hostname(), ownerpid: String(process.pid) },
          { conditions: { leaseId: lease.leaseId } },
        );
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
        if (await this.#breakIfOwnerDied(blob)) continue;
        this.#logger.info({ lock: this.#blobName }, 'The lease is held by another host; retrying');
        await new Promise((resolve) => setTimeout(resolve, RETRY_ACQUIRE_EVERY_MS).unref());
      }
    }
    return false;
  }

  /** A lease held by a process of this machine that no longer runs (killed) is broken at once instead of waited out. */
  async #breakIfOwnerDied(blob: BlockBlobClient): Promise<boolean> {
    const { metadata = {} } = await blob.getProperties();
    const pid = Number(metadata.ownerpid);
    if (metadata.ownerhost !== os.hostname() || !Number.isInteger(pid) || pid === process.pid || isAlive(pid))
      return false;
    this.#logger.warn({ lock: this.#blobName, pid }, 'Breaking a lease held by a process that has died');
    await blob.getBlobLeaseClient().breakLease(0);
    return true;
  }

  async release(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#renewTimer);
    await this.#lease?.releaseLease().catch(() => undefined);
    this.#lease = undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
