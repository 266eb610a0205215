import { describe, expect, it } from 'vitest';

import {
  initialSegments,
  segmentIndices,
  splitForSteal,
  type StrideLayout,
} from '../../../../shared/runs/dispatchStrides.js';

describe('dispatch strides', () => {
  it('covers every target after the first ones exactly once, whatever the counts', () => {
    for (const [total, first] of [
      [130, 7],
      [10, 2],
      [5, 5],
      [3, 1],
      [1000, 200],
    ] as const) {
      const layout: StrideLayout = { first, strides: first };
      const indices = initialSegments(layout, total).flatMap((segment) => segmentIndices(layout, segment));
      expect(indices.sort((a, b) => a - b)).toEqual(Array.from({ length: total - first }, (_, i) => i + first));
    }
  });

  it('steals the back half of a segment, rounding up, and leaves the front to its owner', () => {
    expect(splitForSteal({ stride: 2, front: 3, back: 8 })).toEqual({
      stolen: { stride: 2, front: 5, back: 8 },
      kept: { stride: 2, front: 3, back: 5 },
    });
    expect(splitForSteal({ stride: 0, front: 4, back: 5 })).toEqual({
      stolen: { stride: 0, front: 4, back: 5 },
      kept: { stride: 0, front: 4, back: 4 },
    });
  });
});
