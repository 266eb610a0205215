import { describe, expect, it } from 'vitest';

import { HoldableLogSink } from '../../../../agent/logging/HoldableLogSink.js';

describe('HoldableLogSink', () => {
  it('writes through, holds while frozen, and writes the held lines in order on release', () => {
    const written: string[] = [];
    const sink = new HoldableLogSink((text) => written.push(text));
    sink.write('a\n');
    sink.hold();
    sink.write('b\n');
    sink.write('c\n');
    expect(written).toEqual(['a\n']);
    sink.release();
    expect(written).toEqual(['a\n', 'b\nc\n']);
  });

  it('keeps memory bounded and reports how many lines it dropped', () => {
    const written: string[] = [];
    const sink = new HoldableLogSink((text) => written.push(text), 2);
    sink.hold();
    for (const line of ['1\n', '2\n', '3\n', '4\n']) sink.write(line);
    sink.release();
    expect(written[0]).toContain('2 log lines dropped while frozen');
    expect(written[1]).toBe('3\n4\n');
  });
});
