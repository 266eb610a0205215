import { parseConstraint, splitConstraints } from './routeConstraints.js';

interface RouteParameter {
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: ((value: string) => boolean)[];
}

type Segment = { kind: 'literal'; text: string } | { kind: 'parameters'; parts: (string | RouteParameter)[] };

/**
 * A compiled ASP.NET-style route template (`runs/{id}/vms/{vm?}`, `{id:int}`, `files/{*rest}`, `{name}.{ext}`),
 * matched case-insensitively like the Functions host. Route values are returned URL-decoded.
 */
export class RouteTemplate {
  readonly template: string;
  /** ASP.NET inbound precedence per segment: literal 1, complex 2, constrained 3, parameter 4, catch-all 5. */
  readonly precedence: number[];
  readonly #segments: Segment[];

  constructor(template: string) {
    this.template = template.replace(/^\/+|\/+$/g, '');
    this.#segments = this.template === '' ? [] : this.template.split('/').map(parseSegment);
    this.precedence = this.#segments.map(segmentPrecedence);
    const catchAllIndex = this.#segments.findIndex(
      (s) => s.kind === 'parameters' && s.parts.some((p) => typeof p !== 'string' && p.catchAll),
    );
    if (catchAllIndex >= 0 && catchAllIndex !== this.#segments.length - 1) {
      throw new Error(`Route "${template}": a catch-all parameter must be the last segment.`);
    }
  }

  /** Route values for a path (without the route prefix), or undefined when it does not match. */
  match(pathSegments: readonly string[]): Record<string, string> | undefined {
    const values: Record<string, string> = {};
    for (let i = 0; i < this.#segments.length; i++) {
      const segment = this.#segments[i] as Segment;
      if (segment.kind === 'literal') {
        if (pathSegments[i]?.toLowerCase() !== segment.text.toLowerCase()) return undefined;
        continue;
      }
      const single = segment.parts.length === 1 ? segment.parts[0] : undefined;
      if (single && typeof single !== 'string' && single.catchAll) {
        const rest = pathSegments.slice(i).join('/');
        if (rest === '' && single.defaultValue === undefined) continue;
        if (!bind(single, rest || (single.defaultValue ?? ''), values)) return undefined;
        return values;
      }
      const text = pathSegments[i];
      if (text === undefined) {
        if (!single || typeof single === 'string' || !(single.optional || single.defaultValue !== undefined))
          return undefined;
        if (single.defaultValue !== undefined) values[single.name] = single.defaultValue;
        continue;
      }
      if (!matchComplexSegment(segment.parts, text, values)) return undefined;
    }
    return pathSegments.length <= this.#segments.length ? values : undefined;
  }
}

function bind(parameter: RouteParameter, rawValue: string, values: Record<string, string>): boolean {
  const value = safeDecode(rawValue);
  if (!parameter.constraints.every((check) => check(value))) return false;
  values[parameter.name] = value;
  return true;
}

function matchComplexSegment(
  parts: (string | RouteParameter)[],
  text: string,
  values: Record<string, string>,
): boolean {
  const groups: RouteParameter[] = [];
  const pattern = parts
    .map((part) => {
      if (typeof part === 'string') return escapeRegExp(part);
      groups.push(part);
      return '(.+?)';
    })
    .join('');
  const match = new RegExp(`^${pattern}$`, 'i').exec(text);
  if (!match) return false;
  return groups.every((parameter, index) => bind(parameter, match[index + 1] ?? '', values));
}

function parseSegment(text: string): Segment {
  if (!text.includes('{')) return { kind: 'literal', text };
  const parts: (string | RouteParameter)[] = [];
  const tokenPattern = /\{([^{}]+)\}|([^{}]+)/g;
  for (const [, parameter, literal] of text.matchAll(tokenPattern)) {
    parts.push(literal ?? parseParameter(parameter ?? ''));
  }
  return { kind: 'parameters', parts };
}

function parseParameter(text: string): RouteParameter {
  const catchAll = text.startsWith('*');
  const body = text.replace(/^\*{1,2}/, '');
  const [nameWithDefault = '', ...constraintTexts] = splitConstraints(body);
  let name = nameWithDefault;
  let defaultValue: string | undefined;
  let optional = false;
  const last = constraintTexts.at(-1);
  // The `?` or `=default` marker sits at the very end: `{id:int?}` or `{id=5}`.
  const trailer = /(\?|=([^=]*))$/.exec(last ?? name);
  if (trailer) {
    optional = trailer[1] === '?';
    defaultValue = trailer[2];
    if (last !== undefined) constraintTexts[constraintTexts.length - 1] = last.slice(0, trailer.index);
    else name = name.slice(0, trailer.index);
  }
  if (!/^\w+$/.test(name)) throw new Error(`Route parameter "{${text}}" has an invalid name.`);
  return { name, optional, catchAll, defaultValue, constraints: constraintTexts.map(parseConstraint) };
}

function segmentPrecedence(segment: Segment): number {
  if (segment.kind === 'literal') return 1;
  if (segment.parts.length > 1) return 2;
  const parameter = segment.parts[0] as RouteParameter;
  if (parameter.catchAll) return 5;
  return parameter.constraints.length > 0 ? 3 : 4;
}

/** Orders templates as ASP.NET does: segment by segment, the more specific first; longer templates first on ties. */
export function compareRoutePrecedence(a: RouteTemplate, b: RouteTemplate): number {
  const length = Math.min(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    const difference = (a.precedence[i] ?? 0) - (b.precedence[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return b.precedence.length - a.precedence.length;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
