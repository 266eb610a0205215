import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import { retentionInputFor } from '../activities/applyRetention.contract.js';
import { applyRetention } from '../activities/applyRetention.js';
import { inspectVm } from '../activities/inspectVm.js';
import { VmResourceId } from '../shared/arm/resourceId.js';
import { invalidRequest, notFound } from '../shared/http/responses.js';
import { policyStore } from '../shared/policy/defaultPolicyStore.js';

const PreviewQuery = z.object({ vmId: VmResourceId });

/**
 * GET /api/policies/{name}/retention?vmId=...: the policy's retention over one VM's snapshots as a dry run, deleting
 * nothing: which snapshots it keeps and which it would delete, each with the rule that decided, and how many snapshots
 * in the VM's resource group are not this policy's (never touched).
 */
export async function previewRetention(request: HttpRequest): Promise<HttpResponseInit> {
  const query = PreviewQuery.safeParse({ vmId: request.query.get('vmId') ?? undefined });
  if (!query.success) return invalidRequest(query.error, 'query');
  const stored = await policyStore().get(request.params.name ?? '');
  if (!stored) return notFound(`No policy named "${request.params.name}".`);
  const { name, retention } = stored.policy;
  const vm = await inspectVm({ vmId: query.data.vmId });
  if (!vm.found) return notFound(vm.reason);
  const plan = await applyRetention(retentionInputFor(vm, name, retention, true));
  return { jsonBody: { policy: name, vmId: query.data.vmId, retention, ...plan } };
}

app.http('previewRetention', { methods: ['GET'], route: 'policies/{name}/retention', handler: previewRetention });
