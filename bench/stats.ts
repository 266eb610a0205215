import { readdir, readFile } from 'node:fs/promises';

/** The q-quantile (0..1) of samples, nearest-rank. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A process's CPU so far from /proc/<pid>/stat, in seconds (clock ticks of 10 ms): its own, and its reaped children's. */
async function processCpu(pid: number | string): Promise<{ own: number; reaped: number }> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  const seconds = (a: number, b: number) => (Number(fields[a]) + Number(fields[b])) / 100;
  return { own: seconds(11, 12), reaped: seconds(13, 14) };
}

/** CPU seconds (user + system) a process has used so far. */
export async function cpuSeconds(pid: number): Promise<number> {
  return (await processCpu(pid)).own;
}

/** Which part of the local stack a process is, from its command line; undefined for processes not of the stack. */
type ProcessKind = (commandLine: string) => string | undefined;

/**
 * CPU seconds used so far by every live process of the stack, summed by kind, and apart from it (`<kind> (children)`)
 * the CPU of the children they reaped (an agent's freeze holders, scripts and VSS helpers): from /proc/<pid>/stat
 * (utime + stime, cutime + cstime).
 * Take it before and after a phase; the difference is that phase's CPU, for processes alive at both ends.
 */
export async function cpuSecondsByKind(kindOf: ProcessKind): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      const kind = kindOf(commandLine);
      if (kind === undefined) continue;
      const { own, reaped } = await processCpu(entry);
      totals[kind] = (totals[kind] ?? 0) + own;
      if (reaped > 0) totals[`${kind} (children)`] = (totals[`${kind} (children)`] ?? 0) + reaped;
    } catch {
      // the process ended between the listing and the read
    }
  }
  return totals;
}

/** after − before, per kind, rounded to 0.1 CPU-s. */
export function cpuDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([kind, s]) => [kind, round(s - (before[kind] ?? 0), 1)]));
}
