import { randomUUID } from 'node:crypto';

import { ArmError } from '../http/ArmHttp.js';

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

export interface Operation {
  id: string;
  /** `DiskOperations` (Disk RP) or `operations` (Network RP), the path segment of its status URL. */
  kind: 'DiskOperations' | 'operations';
  provider: 'Microsoft.Compute' | 'Microsoft.Network';
  status: OperationStatus;
  startTime: string | undefined;
  endTime: string | undefined;
  error: { code: string; message: string } | undefined;
  /** The operation's result: `properties.output` of the status body, and the body of the Location URL when done. */
  output: (() => unknown) | undefined;
}

/** Long-running operations by id, with the URLs ARM hands out for them. */
export class Operations {
  private readonly byId = new Map<string, Operation>();

  constructor(
    private readonly subscriptionId: string,
    private readonly location: string,
  ) {}

  create(provider: Operation['provider']): Operation {
    const operation: Operation = {
      id: randomUUID(),
      kind: provider === 'Microsoft.Compute' ? 'DiskOperations' : 'operations',
      provider,
      status: 'InProgress',
      startTime: undefined,
      endTime: undefined,
      error: undefined,
      output: undefined,
    };
    this.byId.set(operation.id, operation);
    return operation;
  }

  get(id: string): Operation {
    const operation = this.byId.get(id.toLowerCase());
    if (!operation) throw new ArmError(404, 'NotFound', `The operation '${id}' was not found.`);
    return operation;
  }

  start(operation: Operation): void {
    operation.startTime = new Date().toISOString();
  }

  succeed(operation: Operation, output?: () => unknown): void {
    operation.startTime ??= new Date().toISOString();
    operation.status = 'Succeeded';
    operation.endTime = new Date().toISOString();
    operation.output = output;
  }

  fail(operation: Operation, code: string, message: string): void {
    operation.startTime ??= new Date().toISOString();
    operation.status = 'Failed';
    operation.endTime = new Date().toISOString();
    operation.error = { code, message };
  }

  /** Azure-AsyncOperation, Location and Retry-After headers for a 202 (reference §1.2). */
  headers(
    baseUrl: string,
    operation: Operation,
    apiVersion: string,
    retryAfterSeconds: number,
  ): Record<string, string> {
    const base = `${baseUrl}/subscriptions/${this.subscriptionId}/providers/${operation.provider}/locations/${this.location}`;
    const asyncUrl =
      operation.kind === 'DiskOperations'
        ? `${base}/DiskOperations/${operation.id}?p=${randomUUID()}&api-version=${apiVersion}`
        : `${base}/operations/${operation.id}?api-version=${apiVersion}`;
    const locationUrl =
      operation.kind === 'DiskOperations'
        ? `${base}/DiskOperations/${operation.id}?p=${randomUUID()}&monitor=true&api-version=${apiVersion}`
        : `${base}/operationResults/${operation.id}?api-version=${apiVersion}`;
    return { 'azure-asyncoperation': asyncUrl, location: locationUrl, 'retry-after': String(retryAfterSeconds) };
  }

  /** The body of the Azure-AsyncOperation URL. */
  statusBody(operation: Operation): unknown {
    const body: Record<string, unknown> = { name: operation.id, status: operation.status };
    if (operation.startTime !== undefined) body['startTime'] = operation.startTime;
    if (operation.endTime !== undefined) body['endTime'] = operation.endTime;
    if (operation.status === 'Succeeded' && operation.output) body['properties'] = { output: operation.output() };
    if (operation.error) body['error'] = operation.error;
    return body;
  }
}
