import { describe, expect, it } from 'vitest';

import { summarizeRun } from '../../../../shared/results/summarizeRun.js';

const app = 'application-consistent' as const;

describe('summarizeRun', () => {
  it('is Success when every VM got what its policy aimed for', () => {
    const summary = summarizeRun([
      { vmId: 'a', consistency: app, expected: app },
      { vmId: 'b', consistency: 'crash-consistent', expected: 'crash-consistent' },
    ]);
    expect(summary.status).toBe('Success');
    expect(summary.counts).toMatchObject({ 'application-consistent': 1, 'crash-consistent': 1, failed: 0 });
  });

  it('is Warning when a VM got less consistency than aimed for, or was not running', () => {
    expect(summarizeRun([{ vmId: 'a', consistency: 'crash-consistent', expected: app }]).status).toBe('Warning');
    expect(summarizeRun([{ vmId: 'a', consistency: 'not-running', expected: app }]).status).toBe('Warning');
  });

  it('is Failed when any VM failed, and Canceled when canceled', () => {
    expect(
      summarizeRun([
        { vmId: 'a', consistency: app, expected: app },
        { vmId: 'b', consistency: 'failed', expected: app },
      ]).status,
    ).toBe('Failed');
    expect(summarizeRun([{ vmId: 'a', consistency: 'failed', expected: app }], true).status).toBe('Canceled');
  });
});
