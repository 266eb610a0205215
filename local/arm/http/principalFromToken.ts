import { createHash } from 'node:crypto';

/**
 * Who a bearer token belongs to. Any token is accepted: a JWT's `oid`/`appid`/`sub` claim names the principal (so a
 * real Entra token throttles per identity as ARM does); anything else is named by a hash of the token.
 */
export function principalFromToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  const token = match?.[1];
  if (token === undefined) return undefined;
  const payload = token.split('.')[1];
  if (payload !== undefined) {
    try {
      const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (typeof claims === 'object' && claims !== null) {
        for (const claim of ['oid', 'appid', 'sub']) {
          const value: unknown = (claims as Record<string, unknown>)[claim];
          if (typeof value === 'string' && value.length > 0) return value;
        }
      }
    } catch {
      // not a JWT: fall through to the hash
    }
  }
  return `token-${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}
