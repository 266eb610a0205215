import type { DurableClient } from 'durable-functions';

export interface InstanceSummary {
  instanceId: string;
  runtimeStatus: string;
  customStatus?: unknown;
  createdTime?: string;
  lastUpdatedTime?: string;
}

export interface InstanceWithHistory extends InstanceSummary {
  historyEvents: Record<string, unknown>[];
}

/**
 * The Durable extension's HTTP management API, for what the library's client does not offer: listing instances by id
 * prefix, and history (durable-functions 3.5 reads `history` where the extension answers `historyEvents`). The base
 * URL, task hub and key come from the client's own management payload, so this works on Azure and locally alike.
 */
export async function listInstances(
  client: DurableClient,
  instanceIdPrefix: string,
  runtimeStatus: readonly string[] = [],
): Promise<InstanceSummary[]> {
  const instances: InstanceSummary[] = [];
  let continuation: string | undefined;
  do {
    const url = managementUrl(client, instanceIdPrefix);
    url.pathname = url.pathname.replace(/\/instances\/[^/]*$/, '/instances');
    url.searchParams.set('instanceIdPrefix', instanceIdPrefix);
    url.searchParams.set('top', '500');
    if (runtimeStatus.length > 0) url.searchParams.set('runtimeStatus', runtimeStatus.join(','));
    const response = await fetch(url, {
      headers: continuation ? { 'x-ms-continuation-token': continuation } : {},
    });
    if (!response.ok) throw new Error(`listing instances answered ${response.status}: ${await response.text()}`);
    instances.push(...((await response.json()) as InstanceSummary[]));
    continuation = response.headers.get('x-ms-continuation-token') ?? undefined;
  } while (continuation);
  return instances;
}

/** One instance with its full history (inputs and outputs included), or undefined when there is no such instance. */
export async function instanceHistory(
  client: DurableClient,
  instanceId: string,
): Promise<InstanceWithHistory | undefined> {
  const url = managementUrl(client, instanceId);
  url.searchParams.set('showHistory', 'true');
  url.searchParams.set('showHistoryOutput', 'true');
  url.searchParams.set('showInput', 'true');
  const response = await fetch(url);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`reading ${instanceId} answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as InstanceSummary & { historyEvents?: Record<string, unknown>[] };
  return { ...body, historyEvents: body.historyEvents ?? [] };
}

function managementUrl(client: DurableClient, instanceId: string): URL {
  return new URL(client.createHttpManagementPayload(instanceId).statusQueryGetUri);
}
