import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { AgentFixture } from '../../support/agentFixture.js';

/** A proxy in front of Azurite's queue service that can be switched to answer 503 for everything. */
function startProxy(target: URL) {
  const state = { failing: false, failed: 0 };
  const server = http.createServer((req, res) => {
    if (state.failing) {
      state.failed++;
      res.writeHead(503).end();
      return;
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return { server, state };
}

describe('a queue service outage', () => {
  const connectionString = inject('azuriteConnectionString');
  const queueEndpoint = new URL(/QueueEndpoint=([^;]+)/.exec(connectionString)?.[1] ?? '');
  const proxy = startProxy(queueEndpoint);
  let vm: AgentFixture;

  beforeAll(async () => {
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const port = (proxy.server.address() as AddressInfo).port;
    const proxied = connectionString.replace(/QueueEndpoint=http:\/\/[^/]+/, `QueueEndpoint=http://127.0.0.1:${port}`);
    vm = new AgentFixture({
      connectionString,
      config: { auth: { kind: 'connectionString', connectionString: proxied } },
    });
    await vm.setUp();
  });
  afterAll(async () => {
    await vm.tearDown();
    proxy.server.close();
  });

  it('is survived with back-off: the agent keeps running and handles commands once the queue is back', async () => {
    const agent = await vm.startAgent();
    proxy.state.failing = true;
    await agent.waitForLog((l) => l.msg === 'command queue unreachable; backing off');
    await vm.send('ping', {}, { runId: 'during-outage' });
    expect(agent.child.exitCode).toBeNull();

    proxy.state.failing = false;
    const pong = await vm.waitForReply('pong', (r) => r.runId === 'during-outage', 45_000);
    expect(pong.runId).toBe('during-outage');
    expect(proxy.state.failed).toBeGreaterThan(0);
    await agent.waitForLog((l) => l.msg === 'command queue reachable again');
  });
});
