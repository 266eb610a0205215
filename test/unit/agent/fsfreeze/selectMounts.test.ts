import { describe, expect, it } from 'vitest';

import { parseMountInfo, restrictMounts, selectMounts } from '../../../../agent/fsfreeze/selectMounts.js';

/** /proc/self/mountinfo of an Azure Linux VM (trimmed), with an NFS share, a bind mount and a snap loop device. */
const MOUNTINFO = `
22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
23 28 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw
24 28 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=4031504k
26 28 0:24 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=812204k
28 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,discard,errors=remount-ro
30 28 8:15 / /boot/efi rw,relatime shared:30 - vfat /dev/sda15 rw,fmask=0077
31 28 8:16 / /boot rw,relatime shared:31 - ext4 /dev/sda16 rw
32 28 8:17 / /mnt rw,relatime shared:32 - ext4 /dev/sdb1 rw
33 28 8:33 / /data rw,noatime shared:33 - xfs /dev/sdc1 rw,attr2
34 33 8:49 / /data/logs rw,noatime shared:34 - xfs /dev/sdd1 rw
35 28 8:33 /exports /srv/exports rw,noatime shared:33 - xfs /dev/sdc1 rw,attr2
36 28 0:50 / /shared rw,relatime shared:36 - nfs4 10.0.0.4:/share rw,vers=4.1
37 28 7:0 / /snap/core20/2015 ro,nodev,relatime shared:37 - squashfs /dev/loop0 ro
38 28 7:1 / /var/lib/images rw,relatime shared:38 - ext4 /dev/loop1 rw
39 28 8:65 / /archive ro,relatime shared:39 - ext4 /dev/sde1 ro
40 28 0:51 / /home/me/My\\040Drive rw,relatime shared:40 - fuse.sshfs me@host:/ rw
41 28 8:81 / /space\\040dir rw,relatime shared:41 - btrfs /dev/sdf1 rw
`;

describe('selectMounts', () => {
  it('freezes local writable filesystems once each, deepest first and root last', () => {
    const { mounts } = selectMounts(MOUNTINFO);
    expect(mounts).toEqual(['/data/logs', '/boot', '/data', '/mnt', '/space dir', '/']);
  });

  it('says why every other mount is skipped', () => {
    const reasons = Object.fromEntries(selectMounts(MOUNTINFO).skipped.map((s) => [s.mountPoint, s.reason]));
    expect(reasons).toEqual({
      '/sys': 'pseudo',
      '/proc': 'pseudo',
      '/dev': 'pseudo',
      '/run': 'pseudo',
      '/boot/efi': 'pseudo',
      '/srv/exports': 'duplicate',
      '/shared': 'network',
      '/snap/core20/2015': 'pseudo',
      '/var/lib/images': 'loop',
      '/archive': 'read-only',
      '/home/me/My Drive': 'network',
    });
  });

  it('leaves out excluded mounts such as the Azure resource disk', () => {
    const { mounts, skipped } = selectMounts(MOUNTINFO, ['/mnt']);
    expect(mounts).not.toContain('/mnt');
    expect(skipped).toContainEqual({ mountPoint: '/mnt', fsType: 'ext4', reason: 'excluded' });
  });

  it('uses the visible mount when a mount point is mounted over', () => {
    const overmounted = `${MOUNTINFO}42 28 0:60 / /data rw - tmpfs tmpfs rw\n`;
    expect(selectMounts(overmounted).mounts).not.toContain('/data');
  });
});

describe('parseMountInfo', () => {
  it('reads optional fields and octal escapes', () => {
    expect(parseMountInfo('41 28 8:81 / /a\\040b rw,relatime shared:41 master:2 - btrfs /dev/sdf1 rw')).toEqual([
      { mountPoint: '/a b', fsType: 'btrfs', source: '/dev/sdf1', device: '8:81', root: '/', readOnly: false },
    ]);
  });
});

describe('restrictMounts', () => {
  it('passes requests through without an allow-list', () => {
    expect(restrictMounts('all', undefined)).toEqual({ ok: true, mounts: 'all' });
    expect(restrictMounts(['/data'], undefined)).toEqual({ ok: true, mounts: ['/data'] });
  });

  it('turns "all" into exactly the allowed mounts, deepest first, never the host filesystems', () => {
    expect(restrictMounts('all', ['/srv/vm1', '/srv/vm1/logs'])).toEqual({
      ok: true,
      mounts: ['/srv/vm1/logs', '/srv/vm1'],
    });
  });

  it('refuses explicit mounts outside the allow-list', () => {
    expect(restrictMounts(['/srv/vm1', '/'], ['/srv/vm1'])).toEqual({ ok: false, refused: ['/'] });
  });
});
