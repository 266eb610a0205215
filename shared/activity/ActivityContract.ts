import type { z } from 'zod';

/** An activity as orchestrators know it: its name and the zod schemas of its input and output. */
export interface ActivityContract<Input extends z.ZodType, Output extends z.ZodType> {
  readonly name: string;
  readonly input: Input;
  readonly output: Output;
}

export function defineActivity<Input extends z.ZodType, Output extends z.ZodType>(
  name: string,
  input: Input,
  output: Output,
): ActivityContract<Input, Output> {
  return { name, input, output };
}
