import type { InvocationContext, Timer } from '@azure/functions';
import { app } from '@azure/functions';
import * as df from 'durable-functions';

import { getConfig } from '../shared/config.js';
import { policyStore } from '../shared/policy/defaultPolicyStore.js';
import { runStore } from '../shared/results/defaultRunStore.js';
import { runScheduler } from '../shared/schedule/runScheduler.js';
import { SlotLedger } from '../shared/schedule/SlotLedger.js';

let ledger: SlotLedger | undefined;

/** Every minute: start the runs of every policy slot that fell due (see runScheduler for the exactly-once rules). */
export async function scheduler(_timer: Timer, context: InvocationContext): Promise<void> {
  const client = df.getClient(context);
  ledger ??= new SlotLedger();
  const decisions = await runScheduler(
    {
      policies: () => policyStore().list(),
      ledger,
      runtimeStatus: async (instanceId) => {
        const status = await client.getStatus(instanceId).catch(() => undefined);
        return status?.instanceId ? String(status.runtimeStatus) : undefined;
      },
      startRun: async (input) => {
        await client.startNew('backupPolicy', { instanceId: input.runId, input });
      },
      recordSkippedRun: (run) => runStore().putRun(run),
      log: (message, fields) => context.info(message, fields),
    },
    new Date(),
    getConfig().QUIESCE_SCHEDULE_GRACE_MINUTES * 60_000,
  );
  if (decisions.length > 0) context.info(`Scheduler: ${decisions.length} slot decision(s)`, { decisions });
}

app.timer('scheduler', {
  schedule: '0 * * * * *',
  extraInputs: [df.input.durableClient()],
  handler: scheduler,
});
