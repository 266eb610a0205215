import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';

import { notFound } from '../shared/http/responses.js';
import { runStore } from '../shared/results/defaultRunStore.js';

/** GET /api/runs/{id}: the run and the result of every VM in it, with its evidence. */
export async function getRun(request: HttpRequest): Promise<HttpResponseInit> {
  const runId = request.params.id ?? '';
  const run = await runStore().getRun(runId);
  if (!run) return notFound(`No run with id "${runId}".`);
  return { jsonBody: { ...run, results: await runStore().listVmResults(runId) } };
}

app.http('getRun', { methods: ['GET'], route: 'runs/{id}', handler: getRun });
