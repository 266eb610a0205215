import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { z } from 'zod';

import { parseTimeSpanMs } from './timeSpan.js';

const timeSpan = z.string().transform((text, ctx) => {
  try {
    return parseTimeSpanMs(text);
  } catch (error: unknown) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

const QueuesOptions = z
  .object({
    messageEncoding: z.enum(['base64', 'none']).default('base64'),
    maxPollingInterval: timeSpan.default(60_000),
    visibilityTimeout: timeSpan.default(0),
    batchSize: z.number().int().min(1).max(32).default(16),
    newBatchThreshold: z.number().int().min(0).optional(),
    maxDequeueCount: z.number().int().min(1).default(5),
  })
  .transform((queues) => ({
    ...queues,
    maxPollingIntervalMs: Math.max(queues.maxPollingInterval, MIN_QUEUE_POLLING_INTERVAL_MS),
    // Functions docs: newBatchThreshold defaults to N * batchSize / 2, N = 1 on the Consumption plan.
    newBatchThreshold: queues.newBatchThreshold ?? Math.floor(queues.batchSize / 2),
  }));

/** The Storage Queues extension polls no faster than every 100 ms. */
export const MIN_QUEUE_POLLING_INTERVAL_MS = 100;

const DurableTaskOptions = z.looseObject({
  hubName: z.string().default('TestHubName'),
  maxConcurrentActivityFunctions: z.number().int().min(1).optional(),
  maxConcurrentOrchestratorFunctions: z.number().int().min(1).optional(),
  storageProvider: z
    .looseObject({ connectionName: z.string().optional(), connectionStringName: z.string().optional() })
    .default({}),
});
export type DurableTaskOptions = z.infer<typeof DurableTaskOptions>;

const LogLevel = z.enum(['Trace', 'Debug', 'Information', 'Warning', 'Error', 'Critical', 'None']);

export const HostJson = z.looseObject({
  version: z.literal('2.0', { message: 'host.json must declare "version": "2.0"' }),
  logging: z.looseObject({ logLevel: z.record(z.string(), LogLevel).default({}) }).default({ logLevel: {} }),
  extensions: z
    .looseObject({
      http: z.looseObject({ routePrefix: z.string().default('api') }).default({ routePrefix: 'api' }),
      queues: QueuesOptions.default(QueuesOptions.parse({})),
      durableTask: DurableTaskOptions.default(DurableTaskOptions.parse({})),
    })
    .default({
      http: { routePrefix: 'api' },
      queues: QueuesOptions.parse({}),
      durableTask: DurableTaskOptions.parse({}),
    }),
  functionTimeout: timeSpan.optional(),
});
export type HostJson = z.infer<typeof HostJson>;
export type QueuesOptions = HostJson['extensions']['queues'];

/** Reads `<appDir>/host.json`; a missing file means all defaults, an invalid one is an error naming each problem. */
export async function readHostJson(appDir: string): Promise<HostJson> {
  const file = path.join(appDir, 'host.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return HostJson.parse({ version: '2.0' });
    throw error;
  }
  const parsed = HostJson.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
