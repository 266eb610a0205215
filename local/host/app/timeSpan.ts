/** .NET TimeSpan text, as host.json and timer schedules use it: `[-][d.]hh:mm[:ss[.fffffff]]`. */
const TIME_SPAN_PATTERN = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/;

export function isTimeSpan(text: string): boolean {
  return TIME_SPAN_PATTERN.test(text.trim());
}

export function parseTimeSpanMs(text: string): number {
  const match = TIME_SPAN_PATTERN.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a TimeSpan ([d.]hh:mm[:ss[.fffffff]]).`);
  const [, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) {
    throw new Error(`"${text}" is not a TimeSpan: hours must be 0-23, minutes and seconds 0-59.`);
  }
  const fractionMs = fraction ? Number(`0.${fraction}`) * 1000 : 0;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + fractionMs;
}

export function formatTimeSpan(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor(totalSeconds / 3600) % 24)}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}`;
  const fraction = ms % 1000 ? `.${String(Math.round(ms % 1000)).padStart(3, '0')}` : '';
  return `${days ? `${days}.` : ''}${clock}${fraction}`;
}
