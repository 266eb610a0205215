import type { RegisteredFunction, RpcBindingInfo } from './core/coreTypes.js';

export interface TriggeredFunction {
  registered: RegisteredFunction;
  name: string;
  triggerName: string;
  trigger: RpcBindingInfo;
}

/** The trigger binding of a registered function: the one `in` binding whose type ends in "Trigger". */
export function indexFunction(registered: RegisteredFunction): TriggeredFunction {
  const entry = Object.entries(registered.metadata.bindings).find(
    ([, binding]) => binding.direction === 'in' && binding.type?.toLowerCase().endsWith('trigger'),
  );
  if (!entry) throw new Error(`Function "${registered.metadata.name}" has no trigger binding.`);
  const [triggerName, trigger] = entry;
  return { registered, name: registered.metadata.name, triggerName, trigger };
}

export function triggerType(fn: TriggeredFunction): string {
  return (fn.trigger.type ?? '').toLowerCase();
}

/** A string property of a binding (`queueName`, `schedule`, `route`...), or a clear error naming the function. */
export function bindingString(fn: TriggeredFunction, binding: RpcBindingInfo, property: string): string {
  const value = binding[property];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`Function "${fn.name}": binding property "${property}" must be a non-empty string.`);
  }
  return value;
}
