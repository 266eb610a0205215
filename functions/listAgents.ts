import { app, type HttpResponseInit } from '@azure/functions';

import { agentRegistry } from '../shared/agents/defaultAgentRegistry.js';

/** GET /api/agents: every enrolled agent with its enrollment, last pong and capabilities, by VM id. */
export async function listAgents(): Promise<HttpResponseInit> {
  return { jsonBody: { agents: await agentRegistry().list() } };
}

app.http('listAgents', { methods: ['GET'], route: 'agents', handler: listAgents });
