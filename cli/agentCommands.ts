import type { Command } from 'commander';

import { agentPath } from '../shared/agents/agentRoute.js';
import type { ApiClient } from './apiClient.js';
import { enrollFromFile } from './enrollFromFile.js';
import type { Output } from './output.js';

export interface Agent {
  vmId: string;
  publicKey: string;
  enrolledAt: string;
  lastPongAt?: string;
  agentVersion?: string;
  os?: { family: string; release: string };
  capabilities?: Record<string, { usable: boolean; reason?: string }>;
}

const vmNameOf = (vmId: string) => vmId.split('/').filter(Boolean).at(-1) ?? vmId;

/** `quiesce agents enroll|list|show|remove|import`. */
export function addAgentCommands(program: Command, api: () => ApiClient, out: () => Output): void {
  const agents = program.command('agents').description('enroll guest agents and see their health');

  agents
    .command('enroll')
    .description("enroll a VM's agent with the public key its installer printed (again: replaces the key)")
    .requiredOption('--vm-id <id>', 'the VM resource id')
    .requiredOption('--public-key <key>', "the agent's Ed25519 public key (base64url)")
    .action(async (options: { vmId: string; publicKey: string }) => {
      await enrollOne(api(), out(), options.vmId, options.publicKey);
    });

  agents
    .command('import <file>')
    .description('enroll every agent listed in a fleet enrollment file (enrollment.json)')
    .action(async (file: string) => {
      const enrolled = await enrollFromFile(file, (vmId, publicKey) => enrollOne(api(), out(), vmId, publicKey));
      out().line(`${enrolled} agents enrolled from ${file}`);
    });

  agents
    .command('list')
    .description('list enrolled agents with their last pong and what they can quiesce')
    .action(async () => {
      const { agents: list } = await api().request<{ agents: Agent[] }>('GET', 'agents');
      out().table(
        ['VM', 'ENROLLED', 'LAST PONG', 'VERSION', 'OS', 'QUIESCERS'],
        list.map((a) => [
          vmNameOf(a.vmId),
          a.enrolledAt,
          a.lastPongAt ?? 'never',
          a.agentVersion ?? '-',
          a.os ? `${a.os.family} ${a.os.release}` : '-',
          usableQuiescers(a),
        ]),
        list,
      );
    });

  agents
    .command('show')
    .description("one VM's agent")
    .requiredOption('--vm-id <id>', 'the VM resource id')
    .action(async (options: { vmId: string }) => {
      out().document(await api().request<Agent>('GET', agentPath(options.vmId)));
    });

  agents
    .command('remove')
    .description("forget a VM's agent key: its replies are rejected from then on")
    .requiredOption('--vm-id <id>', 'the VM resource id')
    .action(async (options: { vmId: string }) => {
      await api().request('DELETE', agentPath(options.vmId));
      out().line(`agent/${vmNameOf(options.vmId)} removed`);
    });
}

async function enrollOne(api: ApiClient, out: Output, vmId: string, publicKey: string): Promise<void> {
  const agent = await api.request<Agent>('POST', 'agents', { vmId, publicKey });
  out.line(`agent/${vmNameOf(agent.vmId)} enrolled`);
}

function usableQuiescers(agent: Agent): string {
  if (!agent.capabilities) return '-';
  const usable = Object.entries(agent.capabilities).filter(([, capability]) => capability.usable);
  return usable.map(([name]) => name).join(',') || 'none';
}
