import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';

import { Enrollment } from '../shared/agents/AgentRecord.js';
import { agentPath } from '../shared/agents/agentRoute.js';
import { agentRegistry } from '../shared/agents/defaultAgentRegistry.js';
import { invalidRequest, readJsonBody } from '../shared/http/responses.js';

/** POST /api/agents `{ vmId, publicKey }`: enrolls a VM's agent; 201 when new, 200 when it replaced the VM's key. */
export async function enrollAgent(request: HttpRequest): Promise<HttpResponseInit> {
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  const parsed = Enrollment.safeParse(body.value);
  if (!parsed.success) return invalidRequest(parsed.error, 'enrollment');
  const { agent, created } = await agentRegistry().enroll(parsed.data);
  return { status: created ? 201 : 200, jsonBody: agent, headers: { location: `/api/${agentPath(agent.vmId)}` } };
}

app.http('enrollAgent', { methods: ['POST'], route: 'agents', handler: enrollAgent });
