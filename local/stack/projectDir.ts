import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root: the nearest folder above this module with a package.json. The same answer from the sources
 * (tests run them directly) and from their build in dist/ (benchmarks run that), which has no package.json.
 */
function findProjectDir(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PROJECT_DIR = findProjectDir(path.dirname(fileURLToPath(import.meta.url)));
