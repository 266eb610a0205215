import type { ServerResponse } from 'node:http';

import type { RpcHttpCookie, RpcHttpData, RpcTypedData } from '../core/coreTypes.js';

/** Writes the library's RPC HTTP response (`toRpcHttp` output) to a Node response. */
export function writeRpcHttpResponse(res: ServerResponse, http: RpcHttpData): void {
  const body = bodyBytes(http.body);
  res.statusCode = http.statusCode ? Number(http.statusCode) : 200;
  for (const [name, value] of Object.entries(http.headers ?? {})) res.setHeader(name, value);
  for (const [name, nullable] of Object.entries(http.nullableHeaders ?? {})) {
    if (nullable.value != null) res.setHeader(name, nullable.value);
  }
  const cookies = (http.cookies ?? []).map(formatCookie);
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.setHeader('content-length', body.length);
  res.end(body);
}

function bodyBytes(body: RpcTypedData | null | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if (body.bytes) return Buffer.from(body.bytes);
  if (body.stream) return Buffer.from(body.stream);
  if (body.string != null) return Buffer.from(body.string);
  if (body.json != null) return Buffer.from(body.json);
  return Buffer.alloc(0);
}

const SAME_SITE: Record<string, string | undefined> = { lax: 'Lax', strict: 'Strict', explicitNone: 'None' };

function formatCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const expiresSeconds = cookie.expires?.value?.seconds;
  if (expiresSeconds != null) parts.push(`Expires=${new Date(Number(expiresSeconds) * 1000).toUTCString()}`);
  if (cookie.maxAge?.value != null) parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  const sameSite = cookie.sameSite ? SAME_SITE[cookie.sameSite] : undefined;
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  return parts.join('; ');
}
