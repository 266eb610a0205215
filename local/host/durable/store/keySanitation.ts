/**
 * DurableTask.AzureStorage KeySanitation: characters that are not allowed in table keys (`/ \ # ?`, control
 * characters) and the escape character itself become `^` + four hex digits.
 */
export function escapePartitionKey(key: string): string {
  let escaped = '';
  for (const char of key) {
    const code = char.charCodeAt(0);
    const unsafe =
      char === '/' ||
      char === '\\' ||
      char === '#' ||
      char === '?' ||
      char === '^' ||
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f);
    escaped += unsafe ? `^${code.toString(16).toUpperCase().padStart(4, '0')}` : char;
  }
  return escaped;
}

export function unescapePartitionKey(key: string): string {
  return key.replace(/\^([0-9A-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** History row keys: the event's zero-based position in the execution as 16 hex digits (`ToString("X16")`). */
export function historyRowKey(sequence: number): string {
  return sequence.toString(16).toUpperCase().padStart(16, '0');
}
