import type { ArmRequest, ArmResponse } from './ArmHttp.js';

/** ARM's throttling classes: reads (GET), writes (PUT, PATCH, POST), deletes. */
export type RequestClass = 'read' | 'write' | 'delete';

export type Handler = (request: ArmRequest) => Promise<ArmResponse> | ArmResponse;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

/** Route templates such as `/subscriptions/{sub}/resourceGroups/{rg}`, matched case-insensitively as ARM does. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, template: string, handler: Handler): this {
    const names: string[] = [];
    const source = template
      .split('/')
      .map((segment) => {
        const name = /^\{(\w+)\}$/.exec(segment)?.[1];
        if (name === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(name);
        return '([^/]+)';
      })
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`, 'i'), names, handler });
    return this;
  }

  /** The handler and named segments for a request, `methodMismatch` when only the method is wrong. */
  find(
    method: string,
    path: string,
  ): { handler: Handler; params: Record<string, string> } | 'methodMismatch' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        params[name] = match[index + 1] ?? '';
      });
      return { handler: route.handler, params };
    }
    return pathMatched ? 'methodMismatch' : undefined;
  }
}

export function requestClass(method: string): RequestClass {
  if (method === 'GET' || method === 'HEAD') return 'read';
  return method === 'DELETE' ? 'delete' : 'write';
}
