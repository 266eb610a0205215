import type { EffectiveNetworkSecurityGroup, EffectiveNetworkSecurityRule } from '@azure/arm-network';

export interface OutboundTarget {
  port: number;
  /** A service tag such as `Storage`; `Storage.<Region>` rules match when `region` is given and equal. */
  serviceTag: string;
  region?: string;
}

export type OutboundVerdict = { allowed: true } | { allowed: false; deniedBy: string };

/**
 * Whether the effective NSGs of a NIC let TCP traffic out to a service tag on a port: every NSG (NIC and subnet)
 * must allow it; inside one NSG the rule with the lowest priority number that matches decides (Azure's NSG rules).
 * Only the NSG layer: route tables, firewalls and storage account network rules can still block the traffic.
 */
export function allowsOutbound(
  groups: readonly EffectiveNetworkSecurityGroup[],
  target: OutboundTarget,
): OutboundVerdict {
  for (const group of groups) {
    const rules = (group.effectiveSecurityRules ?? [])
      .filter((rule) => rule.direction === 'Outbound' && matches(rule, target))
      .sort((a, b) => (a.priority ?? Number.MAX_SAFE_INTEGER) - (b.priority ?? Number.MAX_SAFE_INTEGER));
    const deciding = rules[0];
    // No matching rule cannot happen with the default DenyAllOutBound present; treat it as denied.
    if (deciding?.access !== 'Allow')
      return {
        allowed: false,
        deniedBy: `${group.networkSecurityGroup?.id ?? 'nsg'}/${deciding?.name ?? '(no rule)'}`,
      };
  }
  return { allowed: true };
}

function matches(rule: EffectiveNetworkSecurityRule, target: OutboundTarget): boolean {
  if (rule.protocol !== undefined && rule.protocol !== 'All' && rule.protocol !== 'Tcp') return false;
  const ports = rule.destinationPortRanges?.length ? rule.destinationPortRanges : [rule.destinationPortRange ?? '*'];
  if (!ports.some((range) => portInRange(target.port, range))) return false;
  const prefixes = rule.destinationAddressPrefixes?.length
    ? rule.destinationAddressPrefixes
    : [rule.destinationAddressPrefix ?? '*'];
  return prefixes.some((prefix) => prefixCoversTag(prefix, target));
}

function portInRange(port: number, range: string): boolean {
  if (range === '*') return true;
  const [low, high] = range.split('-').map(Number);
  if (low === undefined || Number.isNaN(low)) return false;
  return port >= low && port <= (high ?? low);
}

/** `*`, `0.0.0.0/0` and `Internet` cover every public service tag; `Storage` covers `Storage.<region>` too. */
function prefixCoversTag(prefix: string, target: OutboundTarget): boolean {
  const wanted = target.serviceTag.toLowerCase();
  const value = prefix.toLowerCase();
  if (value === '*' || value === '0.0.0.0/0' || value === 'internet') return true;
  if (value === wanted) return true;
  return target.region !== undefined && value === `${wanted}.${target.region.toLowerCase()}`;
}
