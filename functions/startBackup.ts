import { randomBytes } from 'node:crypto';

import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { errorResponse, invalidRequest, notFound, readJsonBody } from '../shared/http/responses.js';
import { policyStore } from '../shared/policy/defaultPolicyStore.js';
import { BackupRequest, onDemandRunInput } from '../shared/runs/buildRunInput.js';
import { vmLocks } from '../shared/runs/defaultVmLocks.js';

/**
 * POST /api/backups: an on-demand run of VMs, of a policy, or of a policy's settings for some VMs. 202 with the run's
 * id and where to follow it; 409 when a named VM is being backed up by another run right now.
 */
export async function startBackup(
  request: HttpRequest,
  client: df.DurableClient,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  const parsed = BackupRequest.safeParse(body.value);
  if (!parsed.success) return invalidRequest(parsed.error, 'backup request');
  const backup = parsed.data;

  const stored = backup.policy ? await policyStore().get(backup.policy) : undefined;
  if (backup.policy && !stored) return notFound(`No policy named "${backup.policy}".`);
  if (backup.vmIds) {
    const busy = await vmLocks().heldAmong(backup.vmIds);
    if (busy.length > 0)
      return errorResponse(
        409,
        'VmBusy',
        `Already being backed up: ${busy.map((lock) => `${lock.vmId} by run ${lock.runId} (since ${lock.since})`).join('; ')}.`,
      );
  }

  const now = new Date();
  const runId = `adhoc-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
  const built = onDemandRunInput(backup, stored?.policy, runId, now);
  if (!built.ok) return invalidRequest(built.error, 'overrides');
  await client.startNew('backupPolicy', { instanceId: runId, input: built.input });
  context.info(`Started on-demand run ${runId}`, { runId, policy: backup.policy, vms: backup.vmIds?.length });

  const origin = new URL(request.url).origin;
  const management = client.createHttpManagementPayload(runId);
  return {
    status: 202,
    headers: { location: `${origin}/api/runs/${runId}` },
    jsonBody: {
      runId,
      runUri: `${origin}/api/runs/${runId}`,
      cancelPostUri: `${origin}/api/runs/${runId}/cancel`,
      statusQueryGetUri: management.statusQueryGetUri,
    },
  };
}

df.app.client.http('startBackup', { methods: ['POST'], route: 'backups', handler: startBackup });
