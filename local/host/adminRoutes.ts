import type { SystemRoute } from './http/HttpListener.js';

/**
 * The small admin surface of the Functions host: the root page, `/admin/host/status`, `/admin/functions`, and
 * `POST /admin/functions/{name}` to run a timer function once (202 like the real host, but only once it has run).
 */
export function adminRoutes(
  state: () => 'Initialized' | 'Running' | 'Stopping',
  functions: () => unknown[],
  runFunction: (name: string) => Promise<void> | undefined,
): SystemRoute {
  return (req, res, url) => {
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      return Promise.resolve(true);
    };
    const manual = /^\/admin\/functions\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'POST' && manual) {
      const run = runFunction(decodeURIComponent(manual[1] ?? ''));
      if (!run) return json(404, { message: `No timer function named '${manual[1] ?? ''}'.` });
      return run.then(
        () => json(202, {}),
        (error: unknown) => json(500, { message: error instanceof Error ? error.message : String(error) }),
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return Promise.resolve(false);
    switch (url.pathname) {
      case '/':
        res
          .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
          .end('Your Functions app is up and running (Quiesce local host).\n');
        return Promise.resolve(true);
      case '/admin/host/status':
        return json(200, { state: state(), version: '4-local' });
      case '/admin/functions':
        return json(200, functions());
      default:
        return Promise.resolve(false);
    }
  };
}
