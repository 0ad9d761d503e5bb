// HOWTO 3.3, "Creating the Initial Ramdisk Device": the tree of the initrd, its /linuxrc, the
// `mke2fs -i 1024 -b 1024 -m 5` image and the `gzip -c -9` copy that goes on the floppy.

import type { LooprootConfig } from "../config.ts";
import type { Ingredients } from "../ingredients.ts";
import type { Tree, TreeEntry } from "../fs/tree.ts";
import { makeExt2, ext2Needs } from "../fs/ext2/index.ts";
import { gzip9 } from "../fs/gzip.ts";
import { derivedUuid } from "../ids.ts";
import { linuxDevice, mountOptions, dosPathInLinux } from "./names.ts";
import { shWord } from "./shellquote.ts";
import { INITRD_LINES as SAY } from "./protocol.ts";

/** The /linuxrc script: the HOWTO's listing with the `#!/bin/sh` line it lost and a line per step. */
export function linuxrcScript(config: LooprootConfig): string {
  // Every word from the config goes through shWord: DOS names may hold $ ` ' ( ) & #.
  const device = shWord(config.dos.device);
  const fsType = shWord(config.dos.fsType);
  const opts = mountOptions(config);
  const root = shWord("/mnt" + dosPathInLinux(config, config.dos.rootFile));
  const swap = shWord("/mnt" + dosPathInLinux(config, config.dos.swapFile));
  return [
    "#!/bin/sh",
    "# /linuxrc: run by the kernel from the initial ramdisk (HOWTO 3.3).",
    "# It mounts the DOS partition and attaches the root and swap images to loop devices;",
    `# when it exits the kernel mounts ${config.boot.root} as the root filesystem.`,
    "",
    `echo ${SAY.trying(device, fsType)}`,
    "",
    `if /bin/mount -n -t ${fsType} ${device} /mnt${opts ? " -o " + shWord(opts) : ""}; then`,
    "",
    `   echo ${SAY.mounted}`,
    "   ok=yes",
    // The echo lines are the guest protocol's (protocol.ts), with the same quoted words.
    `   /bin/losetup /dev/loop0 ${root} || { echo ${SAY.losetupFailed("/dev/loop0", root)}; ok=no; }`,
    `   /bin/losetup /dev/loop1 ${swap} || { echo ${SAY.losetupFailed("/dev/loop1", swap)}; ok=no; }`,
    `   [ $ok = yes ] && echo ${SAY.loopsSetUp}`,
    "   exit 0",
    "",
    "else",
    "",
    `   echo ${SAY.mountFailed}`,
    "   exit 1",
    "",
    "fi",
    "",
  ].join("\n");
}

const dir = (path: string, time: number, mode = 0o755): TreeEntry => ({
  path,
  kind: "dir",
  mode,
  uid: 0,
  gid: 0,
  mtime: time,
});

/** The device nodes of the HOWTO's listing, renamed for a 6.x kernel, plus the configured DOS device. */
export function initrdDevices(config: LooprootConfig): TreeEntry[] {
  const t = config.time;
  const node = (name: string, kind: "chardev" | "blockdev", major: number, minor: number, mode = 0o644): TreeEntry => ({
    path: "/dev/" + name,
    kind,
    mode,
    uid: 0,
    gid: 0,
    mtime: t,
    major,
    minor,
  });
  const nodes = new Map<string, TreeEntry>();
  const add = (e: TreeEntry) => nodes.set(e.path, e);
  for (const name of ["sda", "sda1", "sda2", "sda3"]) {
    const d = linuxDevice("/dev/" + name)!;
    add(node(name, "blockdev", d.major, d.minor));
  }
  const dos = linuxDevice(config.dos.device);
  if (dos) add(node(config.dos.device.slice(5), "blockdev", dos.major, dos.minor));
  add(node("loop0", "blockdev", 7, 0));
  add(node("loop1", "blockdev", 7, 1));
  add(node("null", "chardev", 1, 3, 0o666));
  add(node("zero", "chardev", 1, 5, 0o666));
  add(node("tty", "chardev", 5, 0, 0o666));
  add(node("tty1", "chardev", 4, 1, 0o620));
  add(node("console", "chardev", 5, 1, 0o600));
  return [...nodes.values()];
}

/** The initrd's files: bin (one busybox), dev, etc, lib, mnt and /linuxrc, as in the HOWTO's listing. */
export function initrdTree(config: LooprootConfig, ing: Pick<Ingredients, "busyboxInitrd" | "initrdApplets">): Tree {
  const t = config.time;
  const tree: Tree = [dir("/", t), dir("/bin", t), dir("/dev", t), dir("/etc", t), dir("/lib", t), dir("/mnt", t)];
  tree.push({ path: "/bin/busybox", kind: "file", mode: 0o755, uid: 0, gid: 0, mtime: t, data: ing.busyboxInitrd });
  for (const applet of ing.initrdApplets) {
    // The initrd keeps everything in /bin, where /linuxrc calls mount and losetup.
    const name = applet.slice(applet.lastIndexOf("/") + 1);
    if (name === "busybox" || name === "linuxrc") continue;
    tree.push({ path: "/bin/" + name, kind: "symlink", mode: 0o777, uid: 0, gid: 0, mtime: t, target: "busybox" });
  }
  tree.push(...initrdDevices(config));
  tree.push({
    path: "/linuxrc",
    kind: "file",
    mode: 0o755,
    uid: 0,
    gid: 0,
    mtime: t,
    data: new TextEncoder().encode(linuxrcScript(config)),
  });
  return dedupe(tree);
}

function dedupe(tree: Tree): Tree {
  const m = new Map<string, TreeEntry>();
  for (const e of tree) m.set(e.path, e);
  return [...m.values()];
}

export function initrdExt2Options(config: LooprootConfig) {
  return {
    blockSize: config.initrd.blockSize,
    bytesPerInode: config.initrd.bytesPerInode,
    reservedPercent: config.initrd.reservedPercent,
    uuid: derivedUuid(config, "initrd"),
    time: config.time,
    label: "initrd",
  };
}

/** Bytes the initrd's ext2 needs at the least, for the size check. */
export function initrdNeeds(config: LooprootConfig, tree: Tree): number {
  return ext2Needs(tree, initrdExt2Options(config)).minBytes;
}

export function makeInitrd(config: LooprootConfig, tree: Tree): { image: Uint8Array; gz: Uint8Array } {
  const image = makeExt2(tree, { ...initrdExt2Options(config), sizeBytes: config.initrd.sizeKiB * 1024 });
  return { image, gz: gzip9(image, { mtime: config.time }) };
}
