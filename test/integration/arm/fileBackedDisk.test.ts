import { mkdtemp, open, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ArmSimProcess, FAST_SIMULATOR, startArmSim, testVm } from '../../support/armSimProcess.js';

const RECORD_BYTES = 4096;
const RECORDS = 256;

/** Record k: its number in the first 4 bytes, then the byte (k % 251) + 1 repeated, so a torn or missing record shows. */
function record(k: number): Buffer {
  const buffer = Buffer.alloc(RECORD_BYTES, (k % 251) + 1);
  buffer.writeUInt32LE(k, 0);
  return buffer;
}

/** How many records the image holds as an unbroken prefix, and whether anything follows the prefix. */
function readLog(image: Buffer): { prefix: number; strayAfterPrefix: boolean } {
  let prefix = 0;
  while (prefix < RECORDS && image.subarray(prefix * RECORD_BYTES, (prefix + 1) * RECORD_BYTES).equals(record(prefix)))
    prefix += 1;
  const rest = image.subarray(prefix * RECORD_BYTES);
  return { prefix, strayAfterPrefix: rest.some((byte) => byte !== 0) };
}

describe('a file-backed disk', () => {
  let sim: ArmSimProcess;
  let diskFile: string;

  beforeAll(async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'quiesce-disk-'));
    diskFile = path.join(folder, 'data.img');
    await writeFile(diskFile, Buffer.alloc(RECORD_BYTES * RECORDS));
    sim = await startArmSim({
      simulator: FAST_SIMULATOR,
      vms: [testVm('vm-1', 'rg-test', { disks: { data: [{ name: 'vm-1-data', file: diskFile }] } })],
    });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('is copied as it was at the point in time, although the guest keeps writing before and after it', async () => {
    // The "guest": appends one record every few milliseconds, as a database appending to its log would.
    const handle = await open(diskFile, 'r+');
    let written = 0;
    let stop = false;
    const writer = (async () => {
      while (!stop && written < RECORDS) {
        await handle.write(record(written), 0, RECORD_BYTES, written * RECORD_BYTES);
        written += 1;
        await sleep(4);
      }
    })();
    while (written < 10) await sleep(5);
    const writtenBeforePut = written;

    await sim.compute().snapshots.beginCreateOrUpdateAndWait(
      'rg-test',
      'snap-file',
      {
        location: 'eastus',
        creationData: {
          createOption: 'Copy',
          sourceResourceId: `/subscriptions/${sim.subscriptionId}/resourceGroups/rg-test/providers/Microsoft.Compute/disks/vm-1-data`,
        },
      },
      { updateIntervalInMs: 20 },
    );
    const writtenAtSucceeded = written;
    while (written < writtenAtSucceeded + 10 && written < RECORDS) await sleep(5);
    stop = true;
    await writer;
    await handle.close();

    const { body } = await sim.call('GET', '/_sim/snapshots');
    const snapshot = (
      body as {
        value: { name: string; pointInTime: string; copy?: { path: string; method: string; capturedAt: string } }[];
      }
    ).value.find((s) => s.name === 'snap-file');
    expect(snapshot?.copy?.method).toMatch(/^(reflink|verified-copy)$/);
    const copy = readLog(await readFile(snapshot?.copy?.path ?? ''));
    const now = readLog(await readFile(diskFile));
    // A point in time of an append-only log is an unbroken prefix: no torn record, no later record without its predecessors.
    expect(copy.strayAfterPrefix).toBe(false);
    expect(copy.prefix).toBeGreaterThanOrEqual(writtenBeforePut);
    expect(copy.prefix).toBeLessThanOrEqual(writtenAtSucceeded);
    // The guest went on writing after the point in time; the copy did not follow.
    expect(now.prefix).toBe(written);
    expect(now.prefix).toBeGreaterThan(copy.prefix);
    expect(Date.parse(snapshot?.copy?.capturedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(snapshot?.pointInTime ?? ''),
    );
  });

  it('rejects a fleet whose disk file does not exist, naming the field', async () => {
    const error = await startArmSim({
      vms: [testVm('vm-x', 'rg-test', { disks: { data: [{ file: '/nonexistent/disk.img' }] } })],
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).toMatch(/vms\[0\]\.disks\.data\[0\]\.file: no such file/);
  });
});
