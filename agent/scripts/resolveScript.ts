import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export type ResolvedScript =
  | { ok: true; path: string }
  | { ok: false; code: 'SCRIPT_PATH_REJECTED' | 'SCRIPT_NOT_FOUND' | 'SCRIPT_UNSAFE_PERMISSIONS'; message: string };

const GROUP_OR_OTHER_WRITE = 0o022;

/**
 * Resolves a script name from a command inside the scripts directory only. The name is a relative path without `..`
 * segments; after resolving symlinks the file must still lie inside the (resolved) directory, so a link cannot point
 * out of it. On POSIX the agent runs scripts as root, so a script anyone else could rewrite is refused.
 */
export async function resolveScript(scriptsDirectory: string, name: string): Promise<ResolvedScript> {
  const segments = name.split(/[\\/]/);
  if (path.isAbsolute(name) || path.win32.isAbsolute(name) || name.includes('\0') || segments.includes('..'))
    return {
      ok: false,
      code: 'SCRIPT_PATH_REJECTED',
      message: `"${name}" is not a relative path inside the scripts directory`,
    };
  let root: string;
  try {
    root = await realpath(scriptsDirectory);
  } catch {
    return { ok: false, code: 'SCRIPT_NOT_FOUND', message: `the scripts directory ${scriptsDirectory} does not exist` };
  }
  let real: string;
  try {
    real = await realpath(path.join(root, ...segments));
  } catch {
    return { ok: false, code: 'SCRIPT_NOT_FOUND', message: `"${name}" does not exist in ${scriptsDirectory}` };
  }
  const relative = path.relative(root, real);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative))
    return { ok: false, code: 'SCRIPT_PATH_REJECTED', message: `"${name}" resolves outside the scripts directory` };
  const info = await stat(real);
  if (!info.isFile()) return { ok: false, code: 'SCRIPT_NOT_FOUND', message: `"${name}" is not a file` };
  if (process.platform !== 'win32' && (info.mode & GROUP_OR_OTHER_WRITE) !== 0)
    return {
      ok: false,
      code: 'SCRIPT_UNSAFE_PERMISSIONS',
      message: `"${name}" is writable by group or others (mode ${(info.mode & 0o777).toString(8)}); the agent runs it as root`,
    };
  return { ok: true, path: real };
}
