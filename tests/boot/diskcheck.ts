// A kept disk checked by the real tools: fsck.fat -n on its FAT partition (found by the MBR),
// e2fsck -fn on the LINUXDSK.IMG inside it, and the user's two files read back.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { expect } from "vitest";
import { join } from "node:path";

const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" });

/** The disk's FAT partition (by the MBR's first entry) and the root image in it, checked by the real tools. */
export function checkDisk(disk: Uint8Array, dir: string) {
  const start = new DataView(disk.buffer, disk.byteOffset).getUint32(446 + 8, true) * 512;
  const size = new DataView(disk.buffer, disk.byteOffset).getUint32(446 + 12, true) * 512;
  const part = join(dir, "part.img");
  writeFileSync(part, disk.subarray(start, start + size));
  const fat = sh("fsck.fat", ["-n", part]);
  const root = join(dir, "root.img");
  const cp = sh("mcopy", ["-o", "-n", "-i", part, "::LINUX/LINUXDSK.IMG", root]);
  const e2 = sh("e2fsck", ["-fn", root]);
  return {
    fat: { status: fat.status, out: fat.stdout + fat.stderr },
    ext2: { status: cp.status === 0 ? e2.status : -1, out: cp.stderr + e2.stdout + e2.stderr },
    x: sh("debugfs", ["-R", "cat /root/x", root]).stdout,
    note: sh("mtype", ["-i", part, "::NOTE.TXT"]).stdout,
  };
}

/** The disk file after a clean shutdown: both filesystems clean and the user's two files there. */
export function expectKeptWork(diskFile: string, dir: string): void {
  const d = checkDisk(new Uint8Array(readFileSync(diskFile)), dir);
  expect(d.fat.status, d.fat.out).toBe(0);
  expect(d.ext2.status, d.ext2.out).toBe(0);
  expect(d.ext2.out).not.toContain("not cleanly unmounted");
  expect(d.x).toBe("hello\n");
  expect(d.note.replace(/\r/g, "")).toBe("note\n");
}
