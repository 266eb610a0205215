import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { generate } from 'selfsigned';

import type { Logger } from '../host/logger.js';
import { ComputeService } from './compute/ComputeService.js';
import { SnapshotService } from './compute/SnapshotService.js';
import { controlApi } from './control/ControlApi.js';
import { detachDisk, setPowerState } from './faults/applySideEffect.js';
import { FaultInjector } from './faults/FaultInjector.js';
import type { FaultAction, FaultRuleInput } from './faults/FaultRule.js';
import type { ArmRequest, ArmResponse } from './http/ArmHttp.js';
import { ArmError, isArmError } from './http/ArmHttp.js';
import { principalFromToken } from './http/principalFromToken.js';
import { requestClass, Router } from './http/Router.js';
import type { Inventory } from './Inventory.js';
import { Latency, type LatencyKind } from './Latency.js';
import { Operations } from './lro/Operations.js';
import { NetworkService } from './network/NetworkService.js';
import type { SimSettings } from './simSettings.js';
import { Throttle } from './throttle/Throttle.js';

export interface ArmSimulatorOptions {
  inventory: Inventory;
  settings: SimSettings;
  faults?: readonly FaultRuleInput[];
  /** Certificate, key and snapshot copies go here. */
  dataDir: string;
  port?: number;
  hostname?: string;
  logger: Logger;
}

type FaultAwareHandler = (request: ArmRequest, fault: FaultAction | undefined) => ArmResponse;

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const SUB = '/subscriptions/{sub}';
const RG = `${SUB}/resourceGroups/{rg}`;

/** An ARM endpoint on loopback HTTPS: the compute and network subset Quiesce uses (see README, "ARM simulator"). */
export class ArmSimulator {
  readonly faults = new FaultInjector();
  private readonly router = new Router();
  private readonly control: Router;
  private readonly throttle: Throttle;
  private readonly snapshots: SnapshotService;
  private readonly latency: Latency;
  private readonly stats = { requests: 0 };
  private readonly hung = new Set<ServerResponse>();
  private server: Server | undefined;
  endpoint = '';
  caCertPath = '';

  private constructor(private readonly options: ArmSimulatorOptions) {
    const { inventory, settings } = options;
    this.latency = new Latency(settings.latency);
    this.throttle = new Throttle(settings.throttle, inventory.subscriptionId);
    const operations = new Operations(inventory.subscriptionId, settings.location);
    const compute = new ComputeService(inventory, this.throttle, settings);
    this.snapshots = new SnapshotService({
      inventory,
      operations,
      latency: this.latency,
      settings,
      dataDir: path.join(options.dataDir, 'snapshots'),
    });
    const network = new NetworkService(inventory, operations, this.latency, settings);
    for (const rule of options.faults ?? []) this.faults.add(rule);
    this.control = controlApi(inventory, this.faults, this.throttle, this.stats);

    const compute_ = 'providers/Microsoft.Compute';
    const r = (
      method: string,
      template: string,
      latency: LatencyKind | undefined,
      handler: FaultAwareHandler,
    ): void => {
      this.router.add(method, template, async (request) => {
        const fault = await this.applyFault(request);
        if (latency !== undefined) await this.latency.wait(latency);
        return handler(request, fault);
      });
    };
    r('GET', `${SUB}/${compute_}/virtualMachines`, 'listMs', (q) => compute.listVms(q));
    r('GET', `${RG}/${compute_}/virtualMachines`, 'listMs', (q) => compute.listVms(q));
    r('GET', `${RG}/${compute_}/virtualMachines/{name}`, 'readMs', (q) => compute.getVm(q));
    r('GET', `${RG}/${compute_}/virtualMachines/{name}/instanceView`, 'readMs', (q) => compute.instanceView(q));
    r('GET', `${SUB}/${compute_}/disks`, 'listMs', (q) => compute.listDisks(q));
    r('GET', `${RG}/${compute_}/disks`, 'listMs', (q) => compute.listDisks(q));
    r('GET', `${RG}/${compute_}/disks/{name}`, 'readMs', (q) => compute.getDisk(q));
    r('GET', `${SUB}/${compute_}/snapshots`, 'listMs', (q) => compute.listSnapshots(q));
    r('GET', `${RG}/${compute_}/snapshots`, 'listMs', (q) => compute.listSnapshots(q));
    r('GET', `${RG}/${compute_}/snapshots/{name}`, 'readMs', (q) => this.snapshots.get(q));
    r('PUT', `${RG}/${compute_}/snapshots/{name}`, 'writeAcceptMs', (q, f) => this.snapshots.put(q, f));
    r('PATCH', `${RG}/${compute_}/snapshots/{name}`, 'writeAcceptMs', (q, f) => this.snapshots.patch(q, f));
    r('DELETE', `${RG}/${compute_}/snapshots/{name}`, 'writeAcceptMs', (q, f) => this.snapshots.delete(q, f));
    r('GET', `${SUB}/providers/{provider}/locations/{location}/{kind}/{operation}`, 'readMs', (q) =>
      this.operationStatus(q, operations),
    );
    const network_ = 'providers/Microsoft.Network/networkInterfaces/{name}';
    r('GET', `${RG}/${network_}`, 'readMs', (q) => network.getNic(q));
    r('POST', `${RG}/${network_}/effectiveNetworkSecurityGroups`, 'writeAcceptMs', (q, f) =>
      network.listEffectiveNsgs(q, f),
    );
  }

  static async start(options: ArmSimulatorOptions): Promise<ArmSimulator> {
    const simulator = new ArmSimulator(options);
    await simulator.listen();
    return simulator;
  }

  /** The base of the control endpoints (`GET {controlUrl}/snapshots`, `POST {controlUrl}/faults`, ...). */
  get controlUrl(): string {
    return `${this.endpoint}/_sim`;
  }

  async stop(): Promise<void> {
    for (const response of this.hung) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.snapshots.drain();
  }

  private async listen(): Promise<void> {
    const { dataDir, hostname = '127.0.0.1', port = 0 } = this.options;
    await mkdir(path.join(dataDir, 'snapshots'), { recursive: true });
    const pems = await generate([{ name: 'commonName', value: 'quiesce-arm-simulator' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    });
    this.caCertPath = path.join(dataDir, 'arm-simulator-ca.pem');
    await writeFile(this.caCertPath, pems.cert);
    const server = createServer({ key: pems.private, cert: pems.cert, keepAliveTimeout: 30_000 }, (req, res) => {
      void this.serve(req, res);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, hostname, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.endpoint = `https://${host}:${address.port}`;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let response: ArmResponse;
    try {
      response = await this.dispatch(req);
    } catch (error: unknown) {
      if (error instanceof Hang) {
        this.hung.add(res);
        res.once('close', () => this.hung.delete(res));
        return;
      }
      if (isArmError(error)) response = error.toResponse();
      else {
        this.options.logger.error({ err: error, method: req.method, url: req.url }, 'ARM simulator handler failed');
        response = new ArmError(500, 'InternalServerError', 'The simulator failed to handle the request.').toResponse();
      }
    }
    const headers: Record<string, string> = {
      'x-ms-request-id': requestId,
      'x-ms-correlation-request-id': headerText(req.headers['x-ms-correlation-request-id']) ?? requestId,
      ...response.headers,
    };
    if (response.body === undefined) {
      res.writeHead(response.status, headers).end();
      return;
    }
    headers['content-type'] = 'application/json; charset=utf-8';
    res.writeHead(response.status, headers).end(JSON.stringify(response.body));
  }

  private async dispatch(req: IncomingMessage): Promise<ArmResponse> {
    const receivedAtMs = Date.now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', this.endpoint);
    const requestPath = decodeURIComponent(url.pathname);
    const body = await readJson(req);
    const base = {
      method,
      path: requestPath,
      query: url.searchParams,
      headers: req.headers,
      body,
      baseUrl: this.endpoint,
      receivedAtMs,
    };

    if (requestPath.startsWith('/_sim/')) {
      const found = this.control.find(method, requestPath);
      if (found === undefined || found === 'methodMismatch')
        throw new ArmError(404, 'NotFound', `No control endpoint ${method} ${requestPath}.`);
      return found.handler({ ...base, principal: 'control', params: found.params });
    }

    this.stats.requests += 1;
    const principal = principalFromToken(headerText(req.headers.authorization));
    if (principal === undefined)
      throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    if (!url.searchParams.get('api-version'))
      throw new ArmError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(requestPath)?.[1];
    if (
      subscription !== undefined &&
      subscription.toLowerCase() !== this.options.inventory.subscriptionId.toLowerCase()
    )
      throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${subscription}' could not be found.`);
    const found = this.router.find(method, requestPath);
    if (found === undefined)
      throw new ArmError(404, 'NotFound', `The simulator does not serve ${method} ${requestPath}.`);
    if (found === 'methodMismatch')
      throw new ArmError(405, 'MethodNotAllowed', `The method ${method} is not allowed on ${requestPath}.`);

    const clientRequestId = headerText(req.headers['x-ms-client-request-id']);
    const throttleHeaders = this.throttle.admit(principal, requestClass(method), clientRequestId);
    const response = await found.handler({ ...base, principal, params: found.params });
    return { ...response, headers: { ...throttleHeaders, ...response.headers } };
  }

  /** Applies the fault of the first matching rule: answers, waits, hangs or changes the inventory; or hands it on. */
  private async applyFault(request: ArmRequest): Promise<FaultAction | undefined> {
    const names = Object.values(request.params);
    const action = this.faults.take({ method: request.method, path: request.path, resourceName: names.at(-1) });
    if (action === undefined) return undefined;
    this.options.logger.info({ method: request.method, path: request.path, fault: action.kind }, 'Injected fault');
    switch (action.kind) {
      case 'error':
        throw new ArmError(
          action.status,
          action.code ?? defaultCode(action.status),
          action.message ?? `Injected fault: HTTP ${action.status}.`,
          action.retryAfterSeconds === undefined ? {} : { 'retry-after': String(action.retryAfterSeconds) },
        );
      case 'delay':
        await sleep(action.delayMs);
        return undefined;
      case 'hang':
        throw new Hang('hang');
      case 'deallocateVm':
        setPowerState(this.options.inventory, action.resourceGroup, action.vm, 'deallocated');
        return undefined;
      case 'detachDisk':
        detachDisk(this.options.inventory, action.resourceGroup, action.disk);
        return undefined;
      case 'failOperation':
        return action;
    }
  }

  private operationStatus(request: ArmRequest, operations: Operations): ArmResponse {
    const { kind = '', operation: id = '' } = request.params;
    const operation = operations.get(id);
    const monitor = request.query.get('monitor') === 'true' || kind.toLowerCase() === 'operationresults';
    const poll = this.options.settings.lro.pollRetryAfterSeconds;
    const retryHeaders: Record<string, string> = poll === undefined ? {} : { 'retry-after': String(poll) };
    if (!monitor)
      return {
        status: 200,
        headers: operation.status === 'InProgress' ? retryHeaders : {},
        body: operations.statusBody(operation),
      };
    // The Location URL: 202 while running, then the result (POST, PATCH) or an empty 200 (DELETE).
    if (operation.status === 'InProgress')
      return {
        status: 202,
        headers: { location: `${request.baseUrl}${request.path}?${request.query.toString()}`, ...retryHeaders },
      };
    if (operation.status === 'Failed' && operation.error)
      throw new ArmError(500, operation.error.code, operation.error.message);
    return { status: 200, body: operation.output?.() };
  }
}

/** Thrown by a `hang` fault: the request is kept open and never answered. */
class Hang extends Error {}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function defaultCode(status: number): string {
  if (status === 429) return 'TooManyRequests';
  if (status === 404) return 'ResourceNotFound';
  if (status === 409) return 'Conflict';
  if (status === 503) return 'ServiceUnavailable';
  if (status >= 500) return 'InternalServerError';
  return 'BadRequest';
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new ArmError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
  }
}
