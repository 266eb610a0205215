import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import * as df from 'durable-functions';

import { instanceHistory, listInstances } from '../shared/durable/managementApi.js';
import { notFound } from '../shared/http/responses.js';
import { isVmInstanceOf, runInstancePrefix } from '../shared/runs/instanceIds.js';

/**
 * GET /api/runs/{id}/vms/{vm}/history: the orchestration history of one VM's backup in a run (every activity, timer
 * and agent reply, with inputs and outputs), for the on-call engineer asking "what exactly happened". `vm` is the
 * VM's name (or its instance id).
 */
export async function getVmHistory(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const runId = request.params.id ?? '';
  const vm = request.params.vm ?? '';
  const prefix = runInstancePrefix(runId);
  const instanceId = vm.startsWith(prefix)
    ? vm
    : (await listInstances(client, prefix)).find((i) => isVmInstanceOf(i.instanceId, runId, vm))?.instanceId;
  const found = instanceId ? await instanceHistory(client, instanceId) : undefined;
  if (!found) return notFound(`No VM "${request.params.vm ?? ''}" in run "${runId}".`);
  return {
    jsonBody: {
      runId,
      instanceId: found.instanceId,
      runtimeStatus: found.runtimeStatus,
      customStatus: found.customStatus,
      history: found.historyEvents,
    },
  };
}

df.app.client.http('getVmHistory', { methods: ['GET'], route: 'runs/{id}/vms/{vm}/history', handler: getVmHistory });
