import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import type { TokenCredential } from '@azure/core-auth';
import { ManagedIdentityCredential } from '@azure/identity';

import { type Config, getConfig } from '../config.js';
import { armClientOptions } from './armClientOptions.js';
import { armReadBudgetPolicy } from './armReadBudget.js';
import { ArmThrottleGate } from './ArmThrottleGate.js';
import { LocalTokenCredential } from './LocalTokenCredential.js';

const credentials = new Map<string, TokenCredential>();

function credential(config: Config): TokenCredential {
  const key = `${config.QUIESCE_ARM_CREDENTIAL}:${config.AZURE_CLIENT_ID ?? ''}`;
  let value = credentials.get(key);
  if (!value) {
    value =
      config.QUIESCE_ARM_CREDENTIAL === 'local'
        ? new LocalTokenCredential()
        : new ManagedIdentityCredential(config.AZURE_CLIENT_ID ? { clientId: config.AZURE_CLIENT_ID } : {});
    credentials.set(key, value);
  }
  return value;
}

const gates = new Map<string, ArmThrottleGate>();

/** One throttle gate per ARM endpoint and principal: ARM's buckets are per principal, shared by all our clients. */
export function armThrottleGate(config: Config = getConfig()): ArmThrottleGate {
  const key = `${config.QUIESCE_ARM_ENDPOINT}|${config.QUIESCE_ARM_CREDENTIAL}|${config.AZURE_CLIENT_ID ?? ''}`;
  let gate = gates.get(key);
  if (!gate) {
    gate = new ArmThrottleGate();
    gates.set(key, gate);
  }
  return gate;
}

function options(config: Config) {
  const endpoint = config.QUIESCE_ARM_ENDPOINT.replace(/\/+$/, '');
  // The gate waits out 429s; inside it, every answer (each retry's too) tells the read budget what ARM has left.
  const additionalPolicies = [
    { policy: armThrottleGate(config).policy(), position: 'perRetry' as const },
    { policy: armReadBudgetPolicy(), position: 'perRetry' as const },
  ];
  return config.QUIESCE_ARM_CA_CERT_PATH
    ? { ...armClientOptions({ endpoint, caCertPath: config.QUIESCE_ARM_CA_CERT_PATH }), additionalPolicies }
    : { endpoint, $host: endpoint, additionalPolicies };
}

const clients = new Map<string, ComputeManagementClient | NetworkManagementClient>();

/** One client per subscription and endpoint, kept: its connections (and the TLS sessions) are reused across calls. */
function cached<T extends ComputeManagementClient | NetworkManagementClient>(
  kind: string,
  subscriptionId: string,
  config: Config,
  create: () => T,
): T {
  const key = `${kind}|${subscriptionId}|${config.QUIESCE_ARM_ENDPOINT}|${config.QUIESCE_ARM_CREDENTIAL}`;
  let client = clients.get(key) as T | undefined;
  if (!client) {
    client = create();
    clients.set(key, client);
  }
  return client;
}

/** A compute client for one subscription: managed identity against Azure, or the local simulator per settings. */
export function computeClient(subscriptionId: string, config: Config = getConfig()): ComputeManagementClient {
  return cached(
    'compute',
    subscriptionId,
    config,
    () => new ComputeManagementClient(credential(config), subscriptionId, options(config)),
  );
}

export function networkClient(subscriptionId: string, config: Config = getConfig()): NetworkManagementClient {
  return cached(
    'network',
    subscriptionId,
    config,
    () => new NetworkManagementClient(credential(config), subscriptionId, options(config)),
  );
}
