import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';

import { AGENT_ROUTE, vmIdFromRoute } from '../shared/agents/agentRoute.js';
import { agentRegistry } from '../shared/agents/defaultAgentRegistry.js';
import { notFound } from '../shared/http/responses.js';

/** GET /api/agents/{VM resource id}: one enrolled agent. */
export async function getAgent(request: HttpRequest): Promise<HttpResponseInit> {
  const vmId = vmIdFromRoute(request.params);
  const agent = await agentRegistry().get(vmId);
  return agent ? { jsonBody: agent } : notFound(`No agent is enrolled for ${vmId}.`);
}

app.http('getAgent', { methods: ['GET'], route: AGENT_ROUTE, handler: getAgent });
