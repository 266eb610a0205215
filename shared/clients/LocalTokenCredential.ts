import type { AccessToken, TokenCredential } from '@azure/core-auth';

const ONE_HOUR_MS = 3600_000;

/**
 * A TokenCredential for the ARM simulator: an unsigned JWT whose `oid` names the principal, so that each principal
 * gets its own throttling buckets as on ARM. The simulator accepts any bearer token.
 */
export class LocalTokenCredential implements TokenCredential {
  constructor(private readonly principalId = 'quiesce-local') {}

  getToken(): Promise<AccessToken> {
    const expiresOnTimestamp = Date.now() + ONE_HOUR_MS;
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
      oid: this.principalId,
      aud: 'https://management.azure.com/',
      exp: Math.floor(expiresOnTimestamp / 1000),
    })}.`;
    return Promise.resolve({ token, expiresOnTimestamp });
  }
}
