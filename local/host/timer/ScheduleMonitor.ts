import type { ContainerClient } from '@azure/storage-blob';

import type { TimerSchedule } from './TimerSchedule.js';

export interface ScheduleStatus {
  Last: string | null;
  Next: string;
  LastUpdated: string;
}

export const HOSTS_CONTAINER = 'azure-webjobs-hosts';

/**
 * Timer schedule status in blob storage, where the Functions host keeps it
 * (`azure-webjobs-hosts/timers/<hostId>/Host.Functions.<name>/status`), so a restarted host knows the last run.
 */
export class ScheduleMonitor {
  readonly #container: ContainerClient;
  readonly #blobName: string;

  constructor(container: ContainerClient, hostId: string, functionName: string) {
    this.#container = container;
    this.#blobName = `timers/${hostId}/Host.Functions.${functionName}/status`;
  }

  async getStatus(): Promise<ScheduleStatus | undefined> {
    try {
      const buffer = await this.#container.getBlockBlobClient(this.#blobName).downloadToBuffer();
      return JSON.parse(buffer.toString('utf8')) as ScheduleStatus;
    } catch (error: unknown) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async updateStatus(status: ScheduleStatus): Promise<void> {
    const body = JSON.stringify(status);
    await this.#container.createIfNotExists();
    await this.#container.getBlockBlobClient(this.#blobName).upload(body, Buffer.byteLength(body), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  }

  /**
   * How late the recorded next occurrence is (0 when not past due). `Next` was computed from the schedule at
   * `LastUpdated`; if the schedule now gives another occurrence from that instant, the schedule changed and the
   * occurrence of the current schedule counts.
   */
  static pastDueMs(status: ScheduleStatus, schedule: TimerSchedule, now: Date): number {
    const expectedNext = schedule.next(new Date(status.LastUpdated));
    const recordedNext = new Date(status.Next);
    const due = expectedNext.getTime() === recordedNext.getTime() ? recordedNext : expectedNext;
    return Math.max(0, now.getTime() - due.getTime());
  }
}
