// Names that cross the DOS/Linux boundary: Linux device names and numbers, the DOS directory as
// Linux sees it under the mount point, and the mount options of the HOWTO's two variants.

import type { LooprootConfig } from "../config.ts";

export interface DeviceNumber {
  major: number;
  minor: number;
}

/**
 * Major/minor of the block devices a /linuxrc may name: SCSI-named disks (what libata gives a
 * 6.x kernel), the HOWTO's old IDE names (major 3/22: no driver in 6.x, kept so the listing's
 * nodes can be made), and loop devices. Returns undefined for anything else.
 */
export function linuxDevice(path: string): DeviceNumber | undefined {
  let m = /^\/dev\/sd([a-p])([1-9]|1[0-5])?$/.exec(path);
  if (m) return { major: 8, minor: (m[1].charCodeAt(0) - 97) * 16 + (m[2] ? Number(m[2]) : 0) };
  m = /^\/dev\/hd([a-d])([1-9]|[1-5][0-9]|6[0-3])?$/.exec(path);
  if (m) {
    const unit = m[1].charCodeAt(0) - 97;
    return { major: unit < 2 ? 3 : 22, minor: (unit % 2) * 64 + (m[2] ? Number(m[2]) : 0) };
  }
  m = /^\/dev\/loop([0-7])$/.exec(path);
  if (m) return { major: 7, minor: Number(m[1]) };
  return undefined;
}

/** The HOWTO's `-o uid=0,gid=0,umask=000,quiet` variant, or no options. */
export function mountOptions(config: LooprootConfig): string {
  return config.dos.openPermissions ? "uid=0,gid=0,umask=000,quiet" : "";
}

/**
 * A file of the DOS directory as a path under the DOS mount point: "/linux/linuxdsk.img".
 * The msdos filesystem shows 8.3 names in lower case and vfat looks names up without regard to
 * case, so the lower-case form works with both, as in the HOWTO's /linuxrc.
 */
export function dosPathInLinux(config: LooprootConfig, file: string): string {
  const dir = config.dos.directory.replace(/^[\\/]+|[\\/]+$/g, "").replace(/\\/g, "/");
  return ("/" + (dir ? dir + "/" : "") + file).toLowerCase();
}

/** The same file as a DOS path: "LINUX\\LINUXDSK.IMG". */
export function dosPathInDos(config: LooprootConfig, file: string): string {
  const dir = config.dos.directory.replace(/^[\\/]+|[\\/]+$/g, "").replace(/\//g, "\\");
  return ((dir ? dir + "\\" : "") + file).toUpperCase();
}
