/** Filesystems FIFREEZE supports that hold local data (fsfreeze(8); Azure Backup freezes ext3/ext4/xfs/btrfs). */
const FREEZABLE = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'jfs', 'reiserfs']);
const NETWORK =
  /^(nfs4?|cifs|smb3?|smbfs|ceph|glusterfs|fuse\..*|9p|afs|lustre|gpfs|ocfs2|gfs2|davfs|sshfs|nfsd|beegfs)$/;

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  device: string;
  /** The subtree of the filesystem this mount shows; not `/` for a bind mount of a directory. */
  root: string;
  readOnly: boolean;
}

export interface MountSelection {
  /** In freeze order: deepest first, `/` last. Thaw in reverse. */
  mounts: string[];
  skipped: {
    mountPoint: string;
    fsType: string;
    reason: 'network' | 'pseudo' | 'read-only' | 'loop' | 'excluded' | 'duplicate';
  }[];
}

const unescapeMountPath = (text: string) =>
  text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/** Parses /proc/self/mountinfo (proc(5)): `id parent major:minor root mountpoint options [optional...] - type source superoptions`. */
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const separator = fields.indexOf('-');
    if (separator < 6) continue;
    const [, , device = '', root = '', mountPoint = '', options = ''] = fields;
    const [fsType = '', source = '', superOptions = ''] = fields.slice(separator + 1);
    const readOnly = options.split(',').includes('ro') || superOptions.split(',').includes('ro');
    entries.push({
      mountPoint: unescapeMountPath(mountPoint),
      fsType,
      source: unescapeMountPath(source),
      device,
      root,
      readOnly,
    });
  }
  return entries;
}

const depth = (mountPoint: string) => (mountPoint === '/' ? 0 : mountPoint.split('/').length);

/**
 * All local writable filesystems to freeze when a freeze asks for `all`: network and pseudo filesystems, read-only
 * mounts and loop devices are skipped (as Azure Backup does), each filesystem is frozen once even if it is mounted in
 * several places, and `/` comes last so the freezer never blocks on its own root while it still has work to do.
 */
export function selectMounts(mountInfo: string, excludeMounts: readonly string[] = []): MountSelection {
  const selected = new Map<string, string>();
  const skipped: MountSelection['skipped'] = [];
  const excluded = new Set(excludeMounts);
  // Later lines over-mount earlier ones; the last mount of a mount point is the one visible.
  const visible = new Map<string, MountEntry>();
  for (const entry of parseMountInfo(mountInfo)) visible.set(entry.mountPoint, entry);
  const entries = [...visible.values()].sort((a, b) => Number(b.root === '/') - Number(a.root === '/'));
  for (const entry of entries) {
    const { mountPoint, fsType } = entry;
    const skip = (reason: MountSelection['skipped'][number]['reason']) => skipped.push({ mountPoint, fsType, reason });
    if (NETWORK.test(fsType)) skip('network');
    else if (!FREEZABLE.has(fsType)) skip('pseudo');
    else if (excluded.has(mountPoint)) skip('excluded');
    else if (entry.readOnly) skip('read-only');
    else if (/^\/dev\/loop\d+$/.test(entry.source)) skip('loop');
    else if (selected.has(entry.device)) skip('duplicate');
    else selected.set(entry.device, mountPoint);
  }
  const mounts = [...selected.values()].sort((a, b) => depth(b) - depth(a) || a.localeCompare(b));
  return { mounts, skipped };
}

/**
 * Applies an agent's `onlyMounts` allow-list: `all` becomes exactly the allowed mounts (deepest first); an explicit
 * list must stay inside it. Without an allow-list the requested mounts pass unchanged.
 */
export function restrictMounts(
  requested: 'all' | readonly string[],
  onlyMounts: readonly string[] | undefined,
): { ok: true; mounts: 'all' | string[] } | { ok: false; refused: string[] } {
  if (!onlyMounts) return { ok: true, mounts: requested === 'all' ? 'all' : [...requested] };
  if (requested === 'all')
    return { ok: true, mounts: [...onlyMounts].sort((a, b) => depth(b) - depth(a) || a.localeCompare(b)) };
  const refused = requested.filter((mount) => !onlyMounts.includes(mount));
  return refused.length > 0 ? { ok: false, refused } : { ok: true, mounts: [...requested] };
}
