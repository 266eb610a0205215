import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { z } from 'zod';

const LocalSettings = z.looseObject({
  IsEncrypted: z.boolean().optional(),
  Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

/**
 * Applies `local.settings.json` Values as app settings the way Core Tools does: as environment variables, where a
 * variable already set in the environment wins. Returns the names that were skipped because of that.
 */
export async function applyLocalSettings(appDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const file = path.join(appDir, 'local.settings.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed = LocalSettings.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is invalid:\n${z.prettifyError(parsed.error)}`);
  if (parsed.data.IsEncrypted) throw new Error(`${file} is encrypted; the local host reads plain settings only.`);
  const skipped: string[] = [];
  for (const [name, value] of Object.entries(parsed.data.Values)) {
    if (env[name] !== undefined) skipped.push(name);
    else env[name] = String(value);
  }
  return skipped;
}

/** Resolves `%SettingName%` binding expressions against app settings, as the host does for queue names and schedules. */
export function resolveSettingExpressions(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(/%([^%]+)%/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) throw new Error(`App setting "${name}" (referenced as %${name}%) is not set.`);
    return value;
  });
}
