import { describe, expect, it } from 'vitest';

import { snapshotFromOutput, snapshotReadiness } from '../../../activities/snapshotReadiness.js';

const ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/snapshots/snap-1';

describe('snapshotReadiness', () => {
  it('calls a Succeeded snapshot without a background copy ready, whether it reports 100 or nothing', () => {
    expect(snapshotReadiness(ID, { provisioningState: 'Succeeded' })).toEqual({
      id: ID,
      state: 'ready',
    });
    expect(snapshotReadiness(ID, { provisioningState: 'Succeeded', completionPercent: 100 })).toEqual({
      id: ID,
      state: 'ready',
      completionPercent: 100,
    });
  });

  it('calls a Succeeded snapshot whose background copy is under way copying, with its progress', () => {
    expect(snapshotReadiness(ID, { provisioningState: 'Succeeded', completionPercent: 42.5 })).toEqual({
      id: ID,
      state: 'copying',
      completionPercent: 42.5,
    });
  });

  it('calls a snapshot still being created copying', () => {
    expect(snapshotReadiness(ID, { provisioningState: 'Updating' }).state).toBe('copying');
  });

  it('calls failed or canceled provisioning, and a failed background copy, failed with the reason', () => {
    expect(snapshotReadiness(ID, { provisioningState: 'Failed' })).toEqual({
      id: ID,
      state: 'failed',
      error: 'provisioningState Failed',
    });
    expect(snapshotReadiness(ID, { provisioningState: 'Canceled' }).state).toBe('failed');
    expect(
      snapshotReadiness(ID, {
        provisioningState: 'Succeeded',
        completionPercent: 60,
        copyCompletionError: { errorCode: 'CopySourceNotFound', errorMessage: 'the source disk was deleted' },
      }),
    ).toEqual({
      id: ID,
      state: 'failed',
      completionPercent: 60,
      error: 'background copy failed: CopySourceNotFound: the source disk was deleted',
    });
  });

  it("reads the snapshot an operation's answer carried, and nothing from an answer without one", () => {
    const output = { id: ID, name: 'snap-1', properties: { provisioningState: 'Succeeded', completionPercent: 40 } };
    expect(snapshotFromOutput(output)).toEqual({ id: ID, provisioningState: 'Succeeded', completionPercent: 40 });
    expect(snapshotReadiness(ID, snapshotFromOutput(output) ?? {}).state).toBe('copying');
    expect(snapshotFromOutput(undefined)).toBeUndefined();
    expect(snapshotFromOutput('not a snapshot')).toBeUndefined();
  });
});
