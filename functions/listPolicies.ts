import { app, type HttpResponseInit } from '@azure/functions';

import { policyStore } from '../shared/policy/defaultPolicyStore.js';

/** GET /api/policies: every policy, by name. */
export async function listPolicies(): Promise<HttpResponseInit> {
  const policies = await policyStore().list();
  return { jsonBody: { policies: policies.map((p) => ({ ...p.policy, etag: p.etag, updatedAt: p.updatedAt })) } };
}

app.http('listPolicies', { methods: ['GET'], route: 'policies', handler: listPolicies });
