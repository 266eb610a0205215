import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';

import { errorResponse, invalidRequest, readJsonBody } from '../shared/http/responses.js';
import { BackupPolicy } from '../shared/policy/BackupPolicy.js';
import { policyStore } from '../shared/policy/defaultPolicyStore.js';

/** PUT /api/policies/{name}: create or replace a policy; `If-Match` makes it an optimistic update. */
export async function putPolicy(request: HttpRequest): Promise<HttpResponseInit> {
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  const name = request.params.name ?? '';
  const input = typeof body.value === 'object' && body.value !== null ? { name, ...body.value } : body.value;
  const parsed = BackupPolicy.safeParse(input);
  if (!parsed.success) return invalidRequest(parsed.error, 'policy');
  if (parsed.data.name !== name)
    return errorResponse(
      400,
      'NameMismatch',
      `The body names policy "${parsed.data.name}" but the URL names "${name}".`,
    );
  const outcome = await policyStore().save(parsed.data, request.headers.get('if-match') ?? undefined);
  if ('conflict' in outcome)
    return errorResponse(
      412,
      'PreconditionFailed',
      `Policy "${name}" changed since that ETag (or no longer exists); read it again.`,
    );
  return { status: outcome.created ? 201 : 200, jsonBody: outcome.saved.policy, headers: { etag: outcome.saved.etag } };
}

app.http('putPolicy', { methods: ['PUT'], route: 'policies/{name}', handler: putPolicy });
