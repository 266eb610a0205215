import path from 'node:path';

import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

import { PROJECT_DIR } from '../../support/hostProcess.js';

/** The lint override that keeps orchestrations deterministic (STYLE.md habit 1) is part of the build; pin it. */
describe('the orchestrations/** lint override', () => {
  // The probe is not a file of the TypeScript project, so lint it without type information (the rules pinned here need none).
  const eslint = new ESLint({ cwd: PROJECT_DIR, overrideConfig: tseslint.configs.disableTypeChecked });
  const lint = async (code: string, file: string) => {
    const [result] = await eslint.lintText(code, { filePath: path.join(PROJECT_DIR, file) });
    expect(result?.messages.filter((m) => m.fatal)).toEqual([]);
    return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
  };
  const nondeterministic = [
    "import { readFileSync } from 'node:fs';",
    "import { BlobServiceClient } from '@azure/storage-blob';",
    'export const values = [readFileSync, BlobServiceClient, Date.now(), new Date(), Math.random(), process.env.X];',
    'export async function* orchestrator() { await Promise.resolve(); yield 1; }',
    'setTimeout(() => undefined, 1);',
  ].join('\n');

  it('rejects the clock, randomness, the environment, I/O, SDK clients and async code in orchestrations', async () => {
    const messages = await lint(nondeterministic, 'orchestrations/probe.ts');
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/no-restricted-imports: 'node:fs'/),
        expect.stringMatching(/no-restricted-imports: '@azure\/storage-blob'/),
        'no-restricted-syntax: Use context.df.currentUtcDateTime in orchestrations.',
        'no-restricted-syntax: Use context.df.newGuid() in orchestrations.',
        'no-restricted-syntax: Orchestrations never read process state; pass it in as input.',
        'no-restricted-syntax: Orchestrators are generators that yield Tasks; never await.',
        "no-restricted-globals: Unexpected use of 'setTimeout'.",
      ]),
    );
  });

  it('allows the same code outside orchestrations', async () => {
    const messages = await lint(nondeterministic, 'activities/probe.ts');
    expect(messages.filter((m) => /no-restricted-(imports|syntax|globals)/.test(m))).toEqual([]);
  });
});
