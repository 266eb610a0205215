import type { SecurityRule } from '../../fleet/FleetFile.js';

/** Azure's default rules, present in every NSG (priorities 65000–65500). */
const DEFAULT_RULES: SecurityRule[] = [
  rule('AllowVnetInBound', 65000, 'Inbound', 'Allow', 'VirtualNetwork'),
  rule('AllowAzureLoadBalancerInBound', 65001, 'Inbound', 'Allow', '*'),
  rule('DenyAllInBound', 65500, 'Inbound', 'Deny', '*'),
  rule('AllowVnetOutBound', 65000, 'Outbound', 'Allow', 'VirtualNetwork'),
  rule('AllowInternetOutBound', 65001, 'Outbound', 'Allow', 'Internet'),
  rule('DenyAllOutBound', 65500, 'Outbound', 'Deny', '*'),
];

function rule(
  name: string,
  priority: number,
  direction: SecurityRule['direction'],
  access: SecurityRule['access'],
  destinationAddressPrefix: string,
): SecurityRule {
  return {
    name,
    priority,
    direction,
    access,
    protocol: 'All',
    destinationPortRange: '*',
    destinationAddressPrefix,
    sourceAddressPrefix: '*',
  };
}

/** Sample ranges for the tags the fleet uses, so `expandedDestinationAddressPrefix` is filled in as on Azure. */
const TAG_PREFIXES: Record<string, string[]> = {
  storage: ['20.38.96.0/19', '20.60.0.0/16', '52.239.128.0/17'],
  internet: ['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/3'],
  virtualnetwork: ['10.0.0.0/16', '168.63.129.16/32'],
};

function portRange(range: string): string {
  if (range === '*') return '0-65535';
  return range.includes('-') ? range : `${range}-${range}`;
}

/** One NSG's effective rules (its own and the defaults) in the shape of EffectiveNetworkSecurityRule. */
export function effectiveRules(rules: readonly SecurityRule[]): unknown[] {
  const own = rules.map((r) => ({ r, prefix: 'securityRules' }));
  const defaults = DEFAULT_RULES.map((r) => ({ r, prefix: 'defaultSecurityRules' }));
  return [...own, ...defaults].map(({ r, prefix }) => {
    const tag = r.destinationAddressPrefix.split('.')[0]?.toLowerCase() ?? '';
    return {
      name: `${prefix}/${r.name}`,
      protocol: r.protocol,
      sourcePortRange: '0-65535',
      destinationPortRange: portRange(r.destinationPortRange),
      sourceAddressPrefix: r.sourceAddressPrefix === '*' ? '0.0.0.0/0' : r.sourceAddressPrefix,
      destinationAddressPrefix: r.destinationAddressPrefix === '*' ? '0.0.0.0/0' : r.destinationAddressPrefix,
      expandedDestinationAddressPrefix: TAG_PREFIXES[tag],
      access: r.access,
      priority: r.priority,
      direction: r.direction,
    };
  });
}
