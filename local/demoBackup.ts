import type { ApiClient } from '../cli/apiClient.js';

interface DemoRun {
  runId: string;
  status: string;
  reason?: string;
  results?: { vmName: string; consistency: string; freezeWindowMs?: number; reason: string; warnings: string[] }[];
}

/** The demo policy `npm start` saves: the demo fleet's nightly VMs, with the example pre/post scripts on Linux. */
export const DEMO_POLICY = {
  description: 'The demo fleet (tag backup=nightly): scripts on Linux, VSS on Windows.',
  schedule: { cron: '0 2 * * *', timeZone: 'UTC' },
  targets: { tags: { backup: 'nightly' } },
  guestProcessing: {
    // VSS holds writes for 10 s at most, and the demo's Windows agent allows no more.
    maxFrozenSeconds: 10,
    linux: {
      preScript: { path: 'pre-snapshot.sh', timeoutSeconds: 60 },
      postScript: { path: 'post-snapshot.sh', timeoutSeconds: 60 },
      // The simulated VMs have no filesystems of their own to freeze (see the fleet file).
      fsfreeze: { enabled: false },
    },
  },
  retention: { keepLast: 7, minimumKept: 2 },
};

/** Saves the demo policy, runs it once on demand, waits for the result and renders it as a table. */
export async function runDemoBackup(api: ApiClient, timeoutMs = 180_000): Promise<string> {
  await api.request('PUT', 'policies/demo-nightly', DEMO_POLICY);
  const started = await api.request<{ runId: string }>('POST', 'backups', { policy: 'demo-nightly' });
  const deadline = Date.now() + timeoutMs;
  let run: DemoRun;
  do {
    await new Promise((resolve) => setTimeout(resolve, 500));
    run = await api.request<DemoRun>('GET', `runs/${started.runId}`);
  } while (run.status === 'Running' && Date.now() < deadline);
  return renderRun(run);
}

function renderRun(run: DemoRun): string {
  const rows = (run.results ?? []).map((r) => [
    r.vmName,
    r.consistency,
    r.freezeWindowMs === undefined ? '-' : `${Math.round(r.freezeWindowMs)} ms`,
    [r.reason, ...r.warnings.map((w) => `(warning: ${w})`)].join(' '),
  ]);
  const header = ['VM', 'consistency', 'frozen', 'why'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ');
  return [
    `Demo run ${run.runId}: ${run.status}${run.reason ? ` (${run.reason})` : ''}`,
    line(header),
    ...rows.map(line),
    '',
  ].join('\n');
}
