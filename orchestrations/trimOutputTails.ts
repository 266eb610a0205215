const MAX_TAIL_CHARS = 1_000;

/**
 * A copy of the evidence with every script `outputTail` cut to its last 1,000 characters, so a result stays well
 * inside a Table property's 64 KiB however chatty the scripts were.
 */
export function trimOutputTails<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (key, field: unknown) =>
      key === 'outputTail' && typeof field === 'string' && field.length > MAX_TAIL_CHARS
        ? `…${field.slice(-MAX_TAIL_CHARS)}`
        : field,
    ),
  ) as T;
}
