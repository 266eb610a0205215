import { setTimeout as sleep } from 'node:timers/promises';

import type { SimSettings } from './simSettings.js';

export type LatencyKind = Exclude<keyof SimSettings['latency'], 'scale'>;

/** Server-side time per operation: uniform in the configured range, times the scale. */
export class Latency {
  constructor(private readonly settings: SimSettings['latency']) {}

  sampleMs(kind: LatencyKind): number {
    const [min, max] = this.settings[kind];
    return (min + Math.random() * (max - min)) * this.settings.scale;
  }

  async wait(kind: LatencyKind): Promise<void> {
    const ms = this.sampleMs(kind);
    if (ms > 0) await sleep(ms);
  }
}
