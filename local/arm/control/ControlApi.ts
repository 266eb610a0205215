import { z } from 'zod';

import { detachDisk, setPowerState } from '../faults/applySideEffect.js';
import type { FaultInjector } from '../faults/FaultInjector.js';
import { FaultRuleInput } from '../faults/FaultRule.js';
import type { ArmRequest, ArmResponse } from '../http/ArmHttp.js';
import { ArmError } from '../http/ArmHttp.js';
import { Router } from '../http/Router.js';
import type { Inventory } from '../Inventory.js';
import type { Throttle } from '../throttle/Throttle.js';

const PowerStateBody = z
  .object({ powerState: z.enum(['running', 'stopped', 'deallocated', 'starting', 'stopping', 'deallocating']) })
  .strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ArmError(400, 'InvalidRequestContent', z.prettifyError(parsed.error));
  return parsed.data;
}

/**
 * The simulator's own endpoints under `/_sim` (no token, not throttled): the point in time of every snapshot, fault
 * rules at run time, power state and disk detach for tests, request counts.
 */
export function controlApi(
  inventory: Inventory,
  faults: FaultInjector,
  throttle: Throttle,
  stats: { requests: number },
): Router {
  const ok = (body: unknown, status = 200): ArmResponse => ({ status, body });
  return new Router()
    .add('GET', '/_sim/health', () =>
      ok({ status: 'ok', vms: inventory.vms.size, disks: inventory.disks.size, snapshots: inventory.snapshots.size }),
    )
    .add('GET', '/_sim/stats', () =>
      ok({
        requests: stats.requests,
        throttled: throttle.rejected,
        admitted: throttle.admitted,
        backoffs: { count: throttle.backoffsMs.length, maxMs: throttle.backoffsMs.reduce((a, b) => Math.max(a, b), 0) },
        abandoned: throttle.abandoned,
      }),
    )
    .add('GET', '/_sim/snapshots', () =>
      ok({
        value: inventory.snapshots.list().map((s) => ({
          id: s.id,
          name: s.name,
          sourceDiskId: s.sourceDiskId,
          incremental: s.incremental,
          provisioningState: s.provisioningState,
          receivedAt: s.receivedAt,
          acceptedAt: s.acceptedAt,
          pointInTime: s.timeCreated,
          completedAt: s.completedAt,
          copy: s.copy,
        })),
      }),
    )
    .add('GET', '/_sim/faults', () => ok({ value: faults.list() }))
    .add('POST', '/_sim/faults', (request: ArmRequest) => ok(faults.add(parse(FaultRuleInput, request.body)), 201))
    .add('DELETE', '/_sim/faults', () => {
      faults.clear();
      return { status: 204 };
    })
    .add('DELETE', '/_sim/faults/{id}', (request: ArmRequest) => {
      if (!faults.remove(request.params['id'] ?? ''))
        throw new ArmError(404, 'NotFound', `No fault rule '${request.params['id']}'.`);
      return { status: 204 };
    })
    .add('POST', '/_sim/vms/{rg}/{name}/powerState', (request: ArmRequest) => {
      const { powerState } = parse(PowerStateBody, request.body);
      setPowerState(inventory, request.params['rg'] ?? '', request.params['name'] ?? '', powerState);
      return { status: 204 };
    })
    .add('POST', '/_sim/disks/{rg}/{name}/detach', (request: ArmRequest) => {
      detachDisk(inventory, request.params['rg'] ?? '', request.params['name'] ?? '');
      return { status: 204 };
    });
}
