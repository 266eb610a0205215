import { describe, expect, it } from 'vitest';

import { decodeQueueMessage, encodeQueueMessage } from '../../../../../local/host/queue/messageEncoding.js';
import { PollingBackoff } from '../../../../../local/host/queue/PollingBackoff.js';
import { assertValidQueueName } from '../../../../../local/host/queue/queueName.js';

describe('PollingBackoff', () => {
  it('grows as min + 2^(n-1) × min on empty polls up to the maximum, and drops to the minimum when work is found', () => {
    const backoff = new PollingBackoff(2_000, 100, () => 0.5); // 0.5 → no jitter
    expect([1, 2, 3, 4, 5, 6, 7].map(() => backoff.nextDelayMs(false))).toEqual([200, 300, 500, 900, 1700, 2000, 2000]);
    expect(backoff.nextDelayMs(true)).toBe(100);
    expect(backoff.nextDelayMs(false)).toBe(200);
  });

  it('jitters the increment by at most 20 %', () => {
    expect(new PollingBackoff(10_000, 100, () => 0).nextDelayMs(false)).toBe(180);
    expect(new PollingBackoff(10_000, 100, () => 0.999999).nextDelayMs(false)).toBe(220);
  });

  it('never waits longer than the maximum, even when it is below the first step', () => {
    expect(new PollingBackoff(150, 100, () => 0.5).nextDelayMs(false)).toBe(150);
  });
});

describe('queue message encoding', () => {
  it('round-trips base64 and passes text through with "none"', () => {
    expect(decodeQueueMessage(encodeQueueMessage('{"a":1}', 'base64'), 'base64')).toBe('{"a":1}');
    expect(encodeQueueMessage('plain', 'none')).toBe('plain');
  });

  it('refuses text that is not strict base64', () => {
    expect(decodeQueueMessage('not base64!', 'base64')).toBeUndefined();
    expect(decodeQueueMessage('YWJj', 'base64')).toBe('abc');
  });
});

describe('assertValidQueueName', () => {
  it('accepts Azure queue names and explains why others are invalid', () => {
    expect(() => assertValidQueueName('quiesce-replies')).not.toThrow();
    for (const bad of ['Upper', 'ab', 'a--b', '-ab', 'ab-', 'a_b', 'x'.repeat(64)]) {
      expect(() => assertValidQueueName(bad), bad).toThrow(/not a valid queue name/);
    }
  });
});
