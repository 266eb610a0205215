/** A copy of a reply body with every `outputTail` cut to its last `maxChars` characters (marked truncated). */
export function shrinkOutputTails<T>(body: T, maxChars: number): T {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (typeof value !== 'object' || value === null) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) copy[key] = visit(member);
    if (typeof copy.outputTail === 'string' && copy.outputTail.length > maxChars) {
      copy.outputTail = maxChars === 0 ? '' : copy.outputTail.slice(-maxChars);
      copy.outputTruncated = true;
    }
    return copy;
  };
  return visit(body) as T;
}
