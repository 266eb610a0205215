import { compareIds } from '../Inventory.js';
import type { ArmRequest } from './ArmHttp.js';
import { ArmError } from './ArmHttp.js';

/**
 * One page of a list answer, `{ value, nextLink }`. The skip token is the last id of the page (a cursor), so pages
 * stay consistent while resources are added or deleted between calls.
 */
export function page<T extends { id: string }>(
  request: ArmRequest,
  records: readonly T[],
  pageSize: number,
  render: (record: T) => unknown,
): { value: unknown[]; nextLink?: string } {
  const token = request.query.get('$skiptoken');
  let start = 0;
  if (token !== null) {
    const after = Buffer.from(token, 'base64url').toString('utf8');
    if (!after.startsWith('/subscriptions/'))
      throw new ArmError(400, 'InvalidSkipToken', 'The $skiptoken is not valid.');
    start = firstAfter(records, after);
  }
  const slice = records.slice(start, start + pageSize);
  const last = slice.at(-1);
  const body: { value: unknown[]; nextLink?: string } = { value: slice.map(render) };
  if (last !== undefined && start + pageSize < records.length) {
    const next = new URL(request.path, request.baseUrl);
    next.searchParams.set('api-version', request.query.get('api-version') ?? '');
    next.searchParams.set('$skiptoken', Buffer.from(last.id, 'utf8').toString('base64url'));
    body.nextLink = next.toString();
  }
  return body;
}

/** Index of the first record whose id sorts after `id` (records are sorted by id). */
function firstAfter(records: readonly { id: string }[], id: string): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    const record = records[middle];
    if (record !== undefined && compareIds(record.id, id) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
