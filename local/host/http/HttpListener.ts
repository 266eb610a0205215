import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { RpcHttpData } from '../core/coreTypes.js';
import type { TriggeredFunction } from '../functionIndex.js';
import type { HostRuntime } from '../HostRuntime.js';
import { outputValue, RETURN_BINDING } from '../outputBindings.js';
import { writeRpcHttpResponse } from './httpResponse.js';
import { compareRoutePrecedence, RouteTemplate } from './RouteTemplate.js';

interface HttpRoute {
  fn: TriggeredFunction;
  template: RouteTemplate;
  methods: Set<string> | undefined;
}

/** A route the host serves itself (admin and, later, durable webhooks); answers true when it handled the request. */
export type SystemRoute = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => Promise<boolean>;

/**
 * The host's HTTP front: app routes under `routePrefix` matched with ASP.NET precedence, a 404 for anything else,
 * a 500 (with the invocation id logged and echoed in `x-ms-invocation-id`) when a handler throws.
 */
export class HttpListener {
  readonly #runtime: HostRuntime;
  readonly #routePrefix: string;
  readonly #routes: HttpRoute[] = [];
  readonly #systemRoutes: SystemRoute[] = [];
  readonly #server: Server;

  constructor(runtime: HostRuntime) {
    this.#runtime = runtime;
    this.#routePrefix = runtime.hostJson.extensions.http.routePrefix.replace(/^\/+|\/+$/g, '');
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        runtime.logger.error({ err: error, url: req.url }, 'HTTP request failed in the host');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    this.#server.keepAliveTimeout = 65_000;
  }

  addFunction(fn: TriggeredFunction): void {
    const methods = fn.trigger.methods as string[] | undefined;
    this.#routes.push({
      fn,
      template: new RouteTemplate(typeof fn.trigger.route === 'string' ? fn.trigger.route : fn.name),
      methods: methods?.length ? new Set(methods.map((m) => m.toUpperCase())) : undefined,
    });
    this.#routes.sort((a, b) => compareRoutePrecedence(a.template, b.template));
  }

  addSystemRoute(route: SystemRoute): void {
    this.#systemRoutes.push(route);
  }

  get routes(): { function: string; route: string; methods: string[] }[] {
    return this.#routes.map(({ fn, template, methods }) => ({
      function: fn.name,
      route: [this.#routePrefix, template.template].filter(Boolean).join('/'),
      methods: methods ? [...methods] : ['*'],
    }));
  }

  listen(port: number, hostname: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, hostname, () => resolve((this.#server.address() as AddressInfo).port));
    });
  }

  /** Stops accepting connections; in-flight requests finish on their own connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
    });
  }

  closeAllConnections(): void {
    this.#server.closeAllConnections();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const body = await readBody(req);
    const route = this.#findRoute(req.method ?? 'GET', url.pathname);
    if (route) return this.#invoke(route.route, route.params, req, res, url, body);
    for (const systemRoute of this.#systemRoutes) {
      if (await systemRoute(req, res, url, body)) return;
    }
    res.writeHead(404, { 'content-length': 0 }).end();
  }

  #findRoute(method: string, pathname: string): { route: HttpRoute; params: Record<string, string> } | undefined {
    const segments = pathname.split('/').filter(Boolean);
    if (this.#routePrefix) {
      const prefix = this.#routePrefix.split('/');
      if (!prefix.every((part, i) => segments[i]?.toLowerCase() === part.toLowerCase())) return undefined;
      segments.splice(0, prefix.length);
    }
    for (const route of this.#routes) {
      if (route.methods && !route.methods.has(method.toUpperCase())) continue;
      const params = route.template.match(segments);
      if (params) return { route, params };
    }
    return undefined;
  }

  async #invoke(
    route: HttpRoute,
    params: Record<string, string>,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Buffer,
  ): Promise<void> {
    const http: RpcHttpData = {
      method: req.method ?? 'GET',
      url: url.href,
      headers: flattenHeaders(req),
      params,
      body: body.length > 0 ? { bytes: body } : null,
    };
    const outcome = await this.#runtime.invoke(route.fn.registered, {
      inputData: [{ name: route.fn.triggerName, data: { http } }],
      reason: `This function was programmatically called via the host APIs.`,
    });
    res.setHeader('x-ms-invocation-id', outcome.invocationId);
    if (!outcome.succeeded) {
      res.writeHead(500, { 'content-length': 0 }).end();
      return;
    }
    const httpOutput = this.#httpOutput(route.fn, outcome.response);
    if (!httpOutput) res.writeHead(204).end();
    else writeRpcHttpResponse(res, httpOutput);
  }

  #httpOutput(fn: TriggeredFunction, response: Parameters<typeof outputValue>[0]): RpcHttpData | undefined {
    const bindings = fn.registered.metadata.bindings;
    const name = Object.keys(bindings).find(
      (key) => bindings[key]?.direction === 'out' && bindings[key]?.type === 'http',
    );
    return outputValue(response, name ?? RETURN_BINDING)?.http ?? undefined;
  }
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

const EMPTY_BODY = Buffer.alloc(0);

function readBody(req: IncomingMessage): Promise<Buffer> {
  if (req.complete && req.readableLength === 0) return Promise.resolve(EMPTY_BODY);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 0 ? EMPTY_BODY : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
