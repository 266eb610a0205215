import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { agentRegistry } from '../shared/agents/defaultAgentRegistry.js';
import { deliverGuestReply } from '../shared/guest/deliverGuestReply.js';
import { ReplayGuard, REPLY_QUEUE_NAME } from '../shared/protocol/index.js';

const replayGuard = new ReplayGuard();

/** Every agent's replies, verified and raised on the backupVm instance each one answers; bad ones are dropped. */
export async function guestReplies(message: unknown, context: InvocationContext): Promise<void> {
  await deliverGuestReply(message, {
    registry: agentRegistry(),
    client: df.getClient(context),
    replayGuard,
    log: context,
  });
}

app.storageQueue('guestReplies', {
  queueName: REPLY_QUEUE_NAME,
  connection: 'AzureWebJobsStorage',
  extraInputs: [df.input.durableClient()],
  handler: guestReplies,
});
