import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import { invalidRequest } from '../shared/http/responses.js';
import { runStore } from '../shared/results/defaultRunStore.js';
import { RunRecord } from '../shared/results/RunStore.js';

const ListRunsQuery = z.strictObject({
  policy: z.string().min(1).optional(),
  status: RunRecord.shape.status.optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  top: z.coerce.number().int().min(1).max(500).default(50),
  continuationToken: z.string().min(1).optional(),
});

/** GET /api/runs: runs newest first, filtered by policy, status and start time, in pages. */
export async function listRuns(request: HttpRequest): Promise<HttpResponseInit> {
  const query = ListRunsQuery.safeParse(Object.fromEntries(request.query.entries()));
  if (!query.success) return invalidRequest(query.error, 'query');
  const { top, continuationToken, since, ...filters } = query.data;
  const page = await runStore().listRuns(
    { ...filters, ...(since ? { since: new Date(since) } : {}) },
    top,
    continuationToken,
  );
  return {
    jsonBody: { runs: page.runs, ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) },
  };
}

app.http('listRuns', { methods: ['GET'], route: 'runs', handler: listRuns });
