import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';

import { notFound } from '../shared/http/responses.js';
import { policyStore } from '../shared/policy/defaultPolicyStore.js';

/** DELETE /api/policies/{name}: removes the policy; its snapshots and run records stay. */
export async function deletePolicy(request: HttpRequest): Promise<HttpResponseInit> {
  const deleted = await policyStore().delete(request.params.name ?? '');
  return deleted ? { status: 204 } : notFound(`No policy named "${request.params.name}".`);
}

app.http('deletePolicy', { methods: ['DELETE'], route: 'policies/{name}', handler: deletePolicy });
