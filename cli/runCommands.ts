import type { Command } from 'commander';

import type { ApiClient } from './apiClient.js';
import type { Output } from './output.js';

interface Run {
  runId: string;
  kind: string;
  policy?: string;
  status: string;
  startedAt: string;
  endedAt?: string;
  vms: number;
}

interface RunWithResults extends Run {
  results: { vmName: string; consistency: string; reason: string; freezeWindowMs?: number }[];
}

/** `quiesce runs list|show`. */
export function addRunCommands(program: Command, api: () => ApiClient, out: () => Output): void {
  const runs = program.command('runs').description('inspect backup runs');

  runs
    .command('list')
    .description('list runs, newest first')
    .option('--policy <name>', 'only this policy')
    .option('--status <status>', 'Running, Success, Warning, Failed, Canceled or Skipped')
    .option('--top <n>', 'how many', '20')
    .action(async (options: { policy?: string; status?: string; top: string }) => {
      const query = new URLSearchParams({
        top: options.top,
        ...(options.policy ? { policy: options.policy } : {}),
        ...(options.status ? { status: options.status } : {}),
      });
      const { runs: list } = await api().request<{ runs: Run[] }>('GET', `runs?${query.toString()}`);
      out().table(
        ['RUN', 'KIND', 'POLICY', 'STATUS', 'STARTED', 'VMS'],
        list.map((r) => [r.runId, r.kind, r.policy ?? '-', r.status, r.startedAt, String(r.vms)]),
        list,
      );
    });

  runs
    .command('show <runId>')
    .description('one run: the verdict of every VM and why')
    .action(async (runId: string) => {
      const run = await api().request<RunWithResults>('GET', `runs/${encodeURIComponent(runId)}`);
      out().line(
        `run ${run.runId}  ${run.status}  (${run.kind}${run.policy ? `, policy ${run.policy}` : ''}, started ${run.startedAt})`,
      );
      out().table(
        ['VM', 'CONSISTENCY', 'FROZEN', 'REASON'],
        run.results.map((r) => [
          r.vmName,
          r.consistency,
          r.freezeWindowMs === undefined ? '-' : `${r.freezeWindowMs} ms`,
          r.reason,
        ]),
        run,
      );
    });
}
