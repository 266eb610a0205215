/**
 * How a run's dispatch splits the targets its lanes did not start with: lane `s` of `strides` owns the stride of
 * indices `first + s + k * strides`, k = 0, 1, ... A lane walks its stride from the front; a lane whose stride is
 * empty steals the back half of the longest one left. A segment is the positions [front, back) of one stride.
 */
export interface StrideSegment {
  stride: number;
  front: number;
  back: number;
}

export interface StrideLayout {
  /** The index of the first target not started with a lane. */
  first: number;
  strides: number;
}

export function targetIndex(layout: StrideLayout, stride: number, position: number): number {
  return layout.first + stride + position * layout.strides;
}

/** Each stride's whole segment when the dispatch opens. */
export function initialSegments(layout: StrideLayout, total: number): StrideSegment[] {
  return Array.from({ length: layout.strides }, (_, stride) => ({
    stride,
    front: 0,
    back: Math.max(0, Math.ceil((total - layout.first - stride) / layout.strides)),
  }));
}

/** The target indices a segment still holds, in order. */
export function segmentIndices(layout: StrideLayout, segment: StrideSegment): number[] {
  return Array.from({ length: Math.max(0, segment.back - segment.front) }, (_, k) =>
    targetIndex(layout, segment.stride, segment.front + k),
  );
}

/** The back half of a segment (at least one position), as a thief's new segment, and what the victim keeps. */
export function splitForSteal(victim: StrideSegment): { stolen: StrideSegment; kept: StrideSegment } {
  const middle = victim.back - Math.ceil((victim.back - victim.front) / 2);
  return { stolen: { ...victim, front: middle }, kept: { ...victim, back: middle } };
}
