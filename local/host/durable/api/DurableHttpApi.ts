import type { IncomingMessage, ServerResponse } from 'node:http';

import type { SystemRoute } from '../../http/HttpListener.js';
import type { Logger } from '../../logger.js';
import type { DurableEngine } from '../engine/DurableEngine.js';
import { DurableError, isDurableError } from '../engine/DurableError.js';
import { isRuntimeStatus, isTerminal, type RuntimeStatus } from '../model/historyEvent.js';
import { hubQuery, managementUrls, webhookBase } from './clientBindingData.js';
import { statusPayload } from './statusPayload.js';

const PREFIXES = ['/durabletask/', '/runtime/webhooks/durabletask/'];
const CONTINUATION_HEADER = 'x-ms-continuation-token';

interface ApiRequest {
  method: string;
  continuationToken: string | undefined;
  segments: string[];
  url: URL;
  body: Buffer;
  origin: string;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

/**
 * The Durable Functions management HTTP API that `DurableClient` calls (HttpApiHandler), on the RPC base
 * (`/durabletask/`) and the public webhook base (`/runtime/webhooks/durabletask/`) of the host's own port.
 */
export function durableHttpApi(engine: DurableEngine, logger: Logger): SystemRoute {
  return async (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => {
    const prefix = PREFIXES.find((p) => url.pathname.startsWith(p) || `${url.pathname}/` === p);
    if (!prefix) return false;
    const segments = url.pathname.slice(prefix.length).split('/').filter(Boolean).map(decodeURIComponent);
    const token = req.headers[CONTINUATION_HEADER];
    const request: ApiRequest = {
      method: req.method ?? 'GET',
      continuationToken: typeof token === 'string' && token !== '' ? token : undefined,
      segments,
      url,
      body,
      origin: `http://${req.headers.host ?? url.host}`,
    };
    let reply: Reply;
    try {
      reply = await route(engine, request);
    } catch (error: unknown) {
      if (isDurableError(error)) reply = { status: error.statusCode, body: { message: error.message } };
      else {
        logger.error({ err: error, url: url.href }, 'Durable management API failed');
        reply = { status: 500, body: { message: error instanceof Error ? error.message : String(error) } };
      }
    }
    send(res, reply);
    return true;
  };
}

async function route(engine: DurableEngine, request: ApiRequest): Promise<Reply> {
  const { method, segments, url } = request;
  const [resource, instanceId, action, eventName] = segments;
  const reason = url.searchParams.get('reason') ?? '';
  if (resource === 'orchestrators' && method === 'POST' && instanceId !== undefined)
    return start(engine, request, instanceId, action);
  if (resource === 'entities')
    return { status: 501, body: { message: 'Durable entities are not supported by the local host.' } };
  if (resource !== 'instances') return { status: 404, body: { message: 'Unknown durable management route.' } };

  if (instanceId === undefined) {
    if (method === 'GET') return list(engine, url, request.continuationToken);
    if (method === 'DELETE') return purgeBy(engine, url);
  } else if (action === undefined) {
    if (method === 'GET') return status(engine, request, instanceId);
    if (method === 'DELETE')
      return (await engine.purge(instanceId))
        ? { status: 200, body: { instancesDeleted: 1 } }
        : { status: 404, body: { message: `No instance with ID '${instanceId}' was found.` } };
  } else if (method === 'POST') {
    switch (action) {
      case 'raiseEvent':
        if (!eventName) return { status: 400, body: { message: 'An event name is required.' } };
        await engine.raiseEvent(instanceId, eventName, jsonBody(request.body));
        return { status: 202 };
      case 'terminate':
        await engine.terminate(instanceId, reason);
        return { status: 202 };
      case 'suspend':
        await engine.suspend(instanceId, reason);
        return { status: 202 };
      case 'resume':
        await engine.resume(instanceId, reason);
        return { status: 202 };
      case 'rewind':
      case 'restart':
        return { status: 501, body: { message: `${action} is not supported by the local host.` } };
    }
  }
  return { status: 405, body: { message: `${method} is not allowed here.` } };
}

async function start(
  engine: DurableEngine,
  request: ApiRequest,
  name: string,
  instanceId: string | undefined,
): Promise<Reply> {
  const id = await engine.startNew(name, instanceId, jsonBody(request.body));
  const urls = managementUrls(webhookBase(request.origin), encodeURIComponent(id), hubQuery(engine.store.hubName));
  const { rewindPostUri: _rewind, ...payload } = urls;
  return { status: 202, body: payload, headers: { location: urls.statusQueryGetUri ?? '' } };
}

async function status(engine: DurableEngine, request: ApiRequest, instanceId: string): Promise<Reply> {
  const flag = (name: string, fallback: boolean) =>
    (request.url.searchParams.get(name) ?? String(fallback)).toLowerCase() === 'true';
  const options = {
    showInput: flag('showInput', true),
    showHistory: flag('showHistory', false),
    showHistoryOutput: flag('showHistoryOutput', false),
  };
  const found = await engine.getInstance(instanceId, options.showHistory);
  if (!found) return { status: 404, body: { message: `No instance with ID '${instanceId}' was found.` } };
  const body = statusPayload(found.record, found.history, options);
  if (isTerminal(found.record.runtimeStatus)) return { status: 200, body };
  return { status: 202, body, headers: { location: request.url.href, 'retry-after': '5' } };
}

async function list(engine: DurableEngine, url: URL, token: string | undefined): Promise<Reply> {
  const query = instanceQuery(url);
  const top = Math.min(1000, Math.max(1, Number(url.searchParams.get('top') ?? 100) || 100));
  const showInput = (url.searchParams.get('showInput') ?? 'false').toLowerCase() === 'true';
  const page = await engine.store.queryInstances(query, top, token);
  const body = page.instances.map((record) =>
    statusPayload(engine.freshRecord(record), [], { showInput, showHistory: false, showHistoryOutput: false }),
  );
  return {
    status: 200,
    body,
    headers: page.continuationToken ? { [CONTINUATION_HEADER]: page.continuationToken } : {},
  };
}

async function purgeBy(engine: DurableEngine, url: URL): Promise<Reply> {
  const query = instanceQuery(url);
  if (!query.createdTimeFrom)
    return { status: 400, body: { message: 'createdTimeFrom is required to purge by filter.' } };
  query.createdTimeTo ??= new Date();
  const terminal: RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];
  query.runtimeStatus = query.runtimeStatus?.filter((s) => terminal.includes(s)) ?? terminal;
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await engine.store.queryInstances(query, 200, token);
    for (const record of page.instances) if (await engine.purge(record.instanceId)) deleted++;
    token = page.continuationToken;
  } while (token);
  return deleted > 0
    ? { status: 200, body: { instancesDeleted: deleted } }
    : { status: 404, body: { instancesDeleted: 0 } };
}

function instanceQuery(url: URL) {
  const params = url.searchParams;
  const date = (name: string) => {
    const text = params.get(name);
    if (!text) return undefined;
    const value = new Date(text);
    if (Number.isNaN(value.getTime())) throw badRequest(`${name} is not a date: ${text}`);
    return value;
  };
  const statuses = params.get('runtimeStatus')?.split(',').filter(Boolean) ?? [];
  const runtimeStatus = statuses.filter(isRuntimeStatus);
  const unknown = statuses.find((s) => !isRuntimeStatus(s));
  if (unknown) throw badRequest(`Unknown runtimeStatus '${unknown}'.`);
  return {
    ...(runtimeStatus.length ? { runtimeStatus } : {}),
    createdTimeFrom: date('createdTimeFrom'),
    createdTimeTo: date('createdTimeTo'),
    ...(params.get('instanceIdPrefix') ? { instanceIdPrefix: params.get('instanceIdPrefix') ?? '' } : {}),
  };
}

/** A JSON request body as JSON text (canonicalised); an empty body is no value. */
function jsonBody(body: Buffer): string | null {
  const text = body.toString('utf8').trim();
  if (text === '') return null;
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    throw badRequest('The request body must be JSON.');
  }
}

function badRequest(message: string): DurableError {
  return new DurableError(400, message);
}

function send(res: ServerResponse, reply: Reply): void {
  const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(text);
}
