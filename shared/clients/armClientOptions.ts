import { readFileSync } from 'node:fs';

export interface ArmClientTarget {
  /** The simulator's endpoint, e.g. https://127.0.0.1:41234 */
  endpoint: string;
  /** The PEM the simulator wrote at start; the clients trust it for this client only. */
  caCertPath: string;
}

/**
 * Options for `new ComputeManagementClient(credential, subscriptionId, options)` and `new NetworkManagementClient(...)`
 * that point them at the ARM simulator and trust its certificate through the pipeline's own TLS settings
 * (`tlsOptions.ca`), never by turning certificate checks off for the process. arm-compute reads `endpoint`;
 * arm-network reads `$host` for URLs (and `endpoint` for the token scope).
 */
export function armClientOptions(target: ArmClientTarget): {
  endpoint: string;
  $host: string;
  credentialScopes: string[];
  credentials: { scopes: string[] };
  tlsOptions: { ca: string };
} {
  const scopes = ['https://management.azure.com/.default'];
  return {
    endpoint: target.endpoint,
    $host: target.endpoint,
    credentialScopes: scopes,
    credentials: { scopes },
    tlsOptions: { ca: readFileSync(target.caCertPath, 'utf8') },
  };
}
