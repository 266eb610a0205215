import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';

import { AGENT_ROUTE, vmIdFromRoute } from '../shared/agents/agentRoute.js';
import { agentRegistry } from '../shared/agents/defaultAgentRegistry.js';
import { notFound } from '../shared/http/responses.js';

/** DELETE /api/agents/{VM resource id}: forgets the agent's key; its replies are rejected from then on. */
export async function removeAgent(request: HttpRequest): Promise<HttpResponseInit> {
  const vmId = vmIdFromRoute(request.params);
  const removed = await agentRegistry().remove(vmId);
  return removed ? { status: 204 } : notFound(`No agent is enrolled for ${vmId}.`);
}

app.http('removeAgent', { methods: ['DELETE'], route: AGENT_ROUTE, handler: removeAgent });
