import type { TableClient } from '@azure/data-tables';

import { tableClient } from '../clients/tableClient.js';
import { statusCodeOf } from '../errors/restErrors.js';

/** A claim held: `etag` is the claim row's, so its release needs no read (see `release`). */
export type ClaimOutcome = { claimed: true; etag: string } | { claimed: false; heldBy: string; since: string };

export interface VmLock {
  vmId: string;
  runId: string;
  since: string;
  expiresAt: string;
}

/**
 * One VM is never backed up by two runs at once: a run claims each VM before touching it and releases it at the end.
 * A claim is a Table row per VM; it is taken over only when it has expired (its run died without releasing it).
 * Claiming again for the same run succeeds, so a retried or replayed claim is harmless.
 */
export class VmLocks {
  readonly #table: () => Promise<TableClient>;

  constructor(table: () => Promise<TableClient> = () => tableClient('VmLocks')) {
    this.#table = table;
  }

  async claim(vmId: string, runId: string, ttlMs: number, now = new Date()): Promise<ClaimOutcome> {
    const table = await this.#table();
    const row = {
      partitionKey: partitionKey(vmId),
      rowKey: '',
      VmId: vmId,
      RunId: runId,
      Since: now.toISOString(),
      ExpiresAt: new Date(now.getTime() + ttlMs).toISOString(),
    };
    for (let attempt = 0; attempt < 4; attempt++) {
      // Most VMs are not held: the first attempt creates the row without reading it.
      const held = attempt === 0 ? undefined : await this.get(vmId);
      try {
        if (!held) return { claimed: true, etag: etagOf(await table.createEntity(row)) };
        if (held.lock.runId === runId) return { claimed: true, etag: held.etag };
        if (Date.parse(held.lock.expiresAt) > now.getTime())
          return { claimed: false, heldBy: held.lock.runId, since: held.lock.since };
        return { claimed: true, etag: etagOf(await table.updateEntity(row, 'Replace', { etag: held.etag })) };
      } catch (error: unknown) {
        if (![409, 412].includes(statusCodeOf(error) ?? 0)) throw error;
      }
    }
    const held = await this.get(vmId);
    return { claimed: false, heldBy: held?.lock.runId ?? 'another run', since: held?.lock.since ?? now.toISOString() };
  }

  /**
   * Releases the VM if this run holds it; a lock taken over by another run is left alone. With the claim's `etag` the
   * row is deleted on that condition alone: a takeover would have changed it.
   */
  async release(vmId: string, runId: string, etag?: string): Promise<void> {
    const table = await this.#table();
    const held = etag ? { lock: { runId }, etag } : await this.get(vmId);
    if (!held || held.lock.runId !== runId) return;
    try {
      await table.deleteEntity(partitionKey(vmId), '', { etag: held.etag });
    } catch (error: unknown) {
      if (![404, 412].includes(statusCodeOf(error) ?? 0)) throw error;
    }
  }

  async get(vmId: string): Promise<{ lock: VmLock; etag: string } | undefined> {
    const table = await this.#table();
    try {
      const row = await table.getEntity<Record<string, string>>(partitionKey(vmId), '');
      return {
        lock: {
          vmId: row.VmId ?? vmId,
          runId: row.RunId ?? '',
          since: row.Since ?? '',
          expiresAt: row.ExpiresAt ?? '',
        },
        etag: String(row.etag),
      };
    } catch (error: unknown) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** The live claims on these VMs (for a 409 before a run starts). */
  async heldAmong(vmIds: readonly string[], now = new Date()): Promise<VmLock[]> {
    const locks = await Promise.all(vmIds.map((vmId) => this.get(vmId)));
    return locks.flatMap((held) => (held && Date.parse(held.lock.expiresAt) > now.getTime() ? [held.lock] : []));
  }
}

function etagOf(response: { etag?: string }): string {
  if (!response.etag) throw new Error('Table storage answered a claim without an ETag.');
  return response.etag;
}

/** A partition per VM: every claim is a point operation on a partition of one row. */
function partitionKey(vmId: string): string {
  return encodeURIComponent(vmId.toLowerCase());
}
