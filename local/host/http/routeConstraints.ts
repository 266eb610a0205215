/**
 * ASP.NET route constraints as the Functions host applies them (`{id:int}`, `{n:range(1,9)}`, `{s:regex(^a+$)}`).
 * Each returns whether a captured route value satisfies it.
 */
type ConstraintCheck = (value: string) => boolean;

const FIXED_CONSTRAINTS: Record<string, ConstraintCheck> = {
  int: (v) => /^-?\d+$/.test(v) && Math.abs(Number(v)) <= 2 ** 31,
  long: (v) => /^-?\d+$/.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
  guid: (v) => /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i.test(v),
  alpha: (v) => /^[a-z]+$/i.test(v),
  double: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  float: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  decimal: (v) => /^-?\d+(\.\d+)?$/.test(v),
  datetime: (v) => !Number.isNaN(Date.parse(v)),
};

const PARAMETERISED_CONSTRAINTS: Record<string, (args: string[]) => ConstraintCheck> = {
  min:
    ([min]) =>
    (v) =>
      /^-?\d+$/.test(v) && Number(v) >= Number(min),
  max:
    ([max]) =>
    (v) =>
      /^-?\d+$/.test(v) && Number(v) <= Number(max),
  range:
    ([min, max]) =>
    (v) =>
      /^-?\d+$/.test(v) && Number(v) >= Number(min) && Number(v) <= Number(max),
  minlength:
    ([min]) =>
    (v) =>
      v.length >= Number(min),
  maxlength:
    ([max]) =>
    (v) =>
      v.length <= Number(max),
  length:
    ([a, b]) =>
    (v) =>
      b === undefined ? v.length === Number(a) : v.length >= Number(a) && v.length <= Number(b),
  regex: ([pattern]) => {
    const regex = new RegExp(pattern ?? '', 'i');
    return (v) => regex.test(v);
  },
};

export function parseConstraint(text: string): ConstraintCheck {
  const call = /^(\w+)\((.*)\)$/s.exec(text);
  if (call) {
    const [, name = '', args = ''] = call;
    const make = PARAMETERISED_CONSTRAINTS[name.toLowerCase()];
    if (!make) throw new Error(`Unknown route constraint "${name}".`);
    return make(name.toLowerCase() === 'regex' ? [args] : args.split(',').map((a) => a.trim()));
  }
  const check = FIXED_CONSTRAINTS[text.toLowerCase()];
  if (!check) throw new Error(`Unknown route constraint "${text}".`);
  return check;
}

/** Splits `int:min(1):regex(a:b)` on the colons that are not inside parentheses. */
export function splitConstraints(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}
