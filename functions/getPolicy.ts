import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';

import { notFound } from '../shared/http/responses.js';
import { policyStore } from '../shared/policy/defaultPolicyStore.js';

/** GET /api/policies/{name}: the policy with every default filled in, and its ETag. */
export async function getPolicy(request: HttpRequest): Promise<HttpResponseInit> {
  const stored = await policyStore().get(request.params.name ?? '');
  if (!stored) return notFound(`No policy named "${request.params.name}".`);
  return { jsonBody: stored.policy, headers: { etag: stored.etag } };
}

app.http('getPolicy', { methods: ['GET'], route: 'policies/{name}', handler: getPolicy });
