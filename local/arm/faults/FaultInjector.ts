import { randomUUID } from 'node:crypto';

import type { FaultAction, FaultRuleInput } from './FaultRule.js';

export interface FaultRule extends FaultRuleInput {
  id: string;
  /** Matching requests seen so far (including skipped ones). */
  seen: number;
  /** Times the action was applied. */
  applied: number;
}

export interface FaultRequest {
  method: string;
  path: string;
  resourceName: string | undefined;
}

/** The run-time fault rules; the first live rule that matches a request decides its fault. */
export class FaultInjector {
  private readonly rules = new Map<string, FaultRule>();

  add(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { ...input, id: randomUUID(), seen: 0, applied: 0 };
    this.rules.set(rule.id, rule);
    return rule;
  }

  remove(id: string): boolean {
    return this.rules.delete(id);
  }

  clear(): void {
    this.rules.clear();
  }

  list(): FaultRule[] {
    return [...this.rules.values()];
  }

  /** Returns the action to apply to this request, if a live rule matches it, and counts the match. */
  take(request: FaultRequest): FaultAction | undefined {
    for (const rule of this.rules.values()) {
      if (rule.count !== undefined && rule.applied >= rule.count) continue;
      if (!matches(rule, request)) continue;
      rule.seen += 1;
      if (rule.seen <= rule.skip) continue;
      rule.applied += 1;
      return rule.action;
    }
    return undefined;
  }
}

function matches(rule: FaultRule, request: FaultRequest): boolean {
  const { method, path, resource } = rule.match;
  if (method !== undefined && method !== request.method) return false;
  if (path !== undefined && !new RegExp(path, 'i').test(request.path)) return false;
  if (resource !== undefined && resource.toLowerCase() !== request.resourceName?.toLowerCase()) return false;
  return true;
}
