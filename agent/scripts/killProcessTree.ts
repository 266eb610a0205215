import { spawn } from 'node:child_process';

/**
 * Kills a process and everything it started. On POSIX the process was spawned as the leader of its own process group
 * (`detached`), so the negative pid reaches the whole group; on Windows `taskkill /T` walks the tree.
 */
export function killProcessTree(pid: number): void {
  if (process.platform === 'win32') {
    spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => {});
    return;
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}
