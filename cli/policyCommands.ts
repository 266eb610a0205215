import { readFile } from 'node:fs/promises';

import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';

import type { ApiClient } from './apiClient.js';
import type { Output } from './output.js';

interface PolicySummary {
  name: string;
  enabled: boolean;
  schedule: { cron: string; timeZone: string };
  maxParallelVms: number;
  priority: number;
}

/** `quiesce policy apply|list|get|delete`. */
export function addPolicyCommands(program: Command, api: () => ApiClient, out: () => Output): void {
  const policy = program.command('policy').description('manage backup policies');

  policy
    .command('apply')
    .description('create or replace policies from a YAML or JSON file (one policy, or a list)')
    .requiredOption('-f, --file <path>', 'the policy file')
    .action(async (options: { file: string }) => {
      const documents = parseYaml(await readFile(options.file, 'utf8')) as unknown;
      for (const document of Array.isArray(documents) ? documents : [documents]) {
        const name = (document as { name?: unknown } | null)?.name;
        if (typeof name !== 'string') throw new Error(`${options.file}: every policy needs a "name".`);
        const saved = await api().request<PolicySummary>('PUT', `policies/${encodeURIComponent(name)}`, document);
        out().line(`policy/${saved.name} applied`);
      }
    });

  policy
    .command('list')
    .description('list the policies')
    .action(async () => {
      const { policies } = await api().request<{ policies: PolicySummary[] }>('GET', 'policies');
      out().table(
        ['NAME', 'ENABLED', 'SCHEDULE', 'TIME ZONE', 'PARALLEL', 'PRIORITY'],
        policies.map((p) => [
          p.name,
          String(p.enabled),
          p.schedule.cron,
          p.schedule.timeZone,
          String(p.maxParallelVms),
          String(p.priority),
        ]),
        policies,
      );
    });

  policy
    .command('get <name>')
    .description('show one policy with every default filled in')
    .action(async (name: string) => {
      out().document(await api().request<object>('GET', `policies/${encodeURIComponent(name)}`));
    });

  policy
    .command('delete <name>')
    .description('delete a policy (its snapshots and run records stay)')
    .action(async (name: string) => {
      await api().request('DELETE', `policies/${encodeURIComponent(name)}`);
      out().line(`policy/${name} deleted`);
    });
}
