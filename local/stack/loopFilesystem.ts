import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why loop-mounted filesystems cannot be used here, or undefined when they can (root and the tools present). */
export function loopFilesystemUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'fsfreeze of a loop-mounted image needs Linux';
  if (process.getuid?.() !== 0) return 'fsfreeze of a loop-mounted image needs root (mount, losetup, fsfreeze)';
  for (const tool of ['losetup', 'mkfs.ext4', 'fsfreeze', 'mount', 'umount']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed`;
    }
  }
  return undefined;
}

export interface LoopFilesystem {
  dir: string;
  mountPoint: string;
  /** Thaws (ignoring "not frozen"), unmounts and deletes the image. */
  destroy(): Promise<void>;
}

/** A 16 MiB ext4 image under a temp dir, loop-mounted: the only kind of filesystem tests and benchmarks ever freeze. */
export async function createLoopFilesystem(): Promise<LoopFilesystem> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quiesce-loop-'));
  const image = path.join(dir, 'fs.img');
  const mountPoint = path.join(dir, 'mnt');
  await mkdir(mountPoint);
  await run('truncate', ['-s', '16M', image]);
  await run('mkfs.ext4', ['-q', '-F', image]);
  await run('mount', ['-o', 'loop', image, mountPoint]);
  return {
    dir,
    mountPoint,
    destroy: async () => {
      await run('fsfreeze', ['-u', mountPoint]).catch(() => undefined);
      await run('umount', [mountPoint]).catch(() => run('umount', ['-l', mountPoint]).catch(() => undefined));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The scheduler state of a process (`D`: uninterruptible sleep, where a writer to a frozen filesystem waits). */
export async function processState(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat?.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}
