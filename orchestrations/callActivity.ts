import type { OrchestrationContext, RetryOptions, Task } from 'durable-functions';
import type { z } from 'zod';

import type { ActivityContract } from '../shared/activity/ActivityContract.js';

/**
 * Calls an activity through its contract: the input is checked before it is scheduled and the result parsed when it
 * comes back. Use as `const out = yield* callActivity(context, contract, input)`.
 */
export function* callActivity<Input extends z.ZodType, Output extends z.ZodType>(
  context: OrchestrationContext,
  contract: ActivityContract<Input, Output>,
  input: z.input<Input>,
  retry?: RetryOptions,
): Generator<Task, z.output<Output>, unknown> {
  const parsed = contract.input.parse(input);
  const task = retry
    ? context.df.callActivityWithRetry(contract.name, retry, parsed)
    : context.df.callActivity(contract.name, parsed);
  const result: unknown = yield task;
  return contract.output.parse(result);
}

/**
 * Schedules an activity without waiting, to race it (against a timer, a cancel): yield `task` in `Task.any`, then
 * read the checked result with `output()` once it has completed without fault.
 */
export function scheduleActivity<Input extends z.ZodType, Output extends z.ZodType>(
  context: OrchestrationContext,
  contract: ActivityContract<Input, Output>,
  input: z.input<Input>,
): { task: Task; output: () => z.output<Output> } {
  const task = context.df.callActivity(contract.name, contract.input.parse(input));
  return { task, output: () => contract.output.parse(task.result) };
}
