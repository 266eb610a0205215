import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { z } from 'zod';

import type { ActivityContract } from './ActivityContract.js';

/**
 * Registers an activity's implementation under its contract: the input is parsed before the handler runs and the
 * output before it is returned, so history only ever holds what the contract says.
 */
export function registerActivity<Input extends z.ZodType, Output extends z.ZodType>(
  contract: ActivityContract<Input, Output>,
  handler: (input: z.output<Input>, context: InvocationContext) => Promise<z.input<Output>>,
): void {
  df.app.activity(contract.name, {
    handler: async (raw: unknown, context: InvocationContext) =>
      contract.output.parse(await handler(contract.input.parse(raw), context)),
  });
}
