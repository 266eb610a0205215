import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { listInstances } from '../shared/durable/managementApi.js';
import { CANCEL_EVENT, type CancelRequest } from '../shared/guest/guestEvents.js';
import { errorResponse, notFound } from '../shared/http/responses.js';
import { runStore } from '../shared/results/defaultRunStore.js';
import { runInstancePrefix } from '../shared/runs/instanceIds.js';
import { runDispatch } from '../shared/runs/RunDispatch.js';

const ACTIVE = ['Running', 'Pending'];

/**
 * POST /api/runs/{id}/cancel: cooperative. The run stops starting VMs; each VM in flight gets the cancel in whatever
 * it is waiting for, thaws its guest first if it froze it, and records itself as canceled.
 */
export async function cancelRun(
  request: HttpRequest,
  client: df.DurableClient,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const runId = request.params.id ?? '';
  const run = await client.getStatus(runId).catch(() => undefined);
  if (!run?.instanceId) return notFound(`No run with id "${runId}".`);
  const recorded = await runStore().getRun(runId);
  const finished = recorded && recorded.status !== 'Running' ? recorded.status : undefined;
  if (finished || !ACTIVE.includes(String(run.runtimeStatus)))
    return errorResponse(
      409,
      'RunFinished',
      `Run "${runId}" has already finished (${finished ?? String(run.runtimeStatus)}).`,
    );

  const cancel: CancelRequest = { requestedAt: new Date().toISOString(), reason: 'canceled through the API' };
  // First the dispatch, so that no VM starts after the VMs in flight are listed below.
  await runDispatch().cancel(runId);
  await client.raiseEvent(runId, CANCEL_EVENT, cancel);
  const vms = await listInstances(client, runInstancePrefix(runId), ACTIVE);
  await Promise.all(vms.map((vm) => client.raiseEvent(vm.instanceId, CANCEL_EVENT, cancel)));
  context.info(`Cancel requested for run ${runId}`, { runId, vmsInFlight: vms.length });
  return { status: 202, jsonBody: { runId, canceling: true, vmsInFlight: vms.map((vm) => vm.instanceId) } };
}

df.app.client.http('cancelRun', { methods: ['POST'], route: 'runs/{id}/cancel', handler: cancelRun });
