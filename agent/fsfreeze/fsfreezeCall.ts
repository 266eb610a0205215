import { execFile } from 'node:child_process';

export type FsFreezeCallResult =
  { ok: true } | { ok: false; message: string; notFrozen: boolean; missingBinary: boolean };

/** One `fsfreeze -f|-u <mount>`; resolves, never throws. */
export function fsfreezeCall(
  binary: string,
  action: 'freeze' | 'thaw',
  mount: string,
  timeoutMs: number,
): Promise<FsFreezeCallResult> {
  return new Promise((resolve) => {
    execFile(binary, [action === 'freeze' ? '-f' : '-u', mount], { timeout: timeoutMs }, (error, _stdout, stderr) => {
      if (!error) return resolve({ ok: true });
      const message = `fsfreeze ${action} ${mount}: ${(stderr || error.message).trim()}`;
      // Thawing a filesystem that is not frozen fails with EINVAL; for an idempotent thaw that is success.
      resolve({
        ok: false,
        message,
        notFrozen: /invalid argument/i.test(stderr),
        missingBinary: (error as NodeJS.ErrnoException).code === 'ENOENT',
      });
    });
  });
}
