// HOWTO 3.4, "Creating The Root Device": the root filesystem that becomes /dev/loop0, either the
// built-in busybox system or the user's own tree, with the HOWTO's changes made to it:
// the two fstab lines, /initrd, the /DOS link and the rc line that fake-mounts the DOS partition.
// Its init scripts print a report of what came up, which the boot harness checks.

import type { LooprootConfig } from "../config.ts";
import type { Ingredients } from "../ingredients.ts";
import type { Tree, TreeEntry } from "../fs/tree.ts";
import { checkTree, parentPath, baseName, resolveInTree } from "../fs/tree.ts";
import { LooprootError, ErrorCode } from "../errors.ts";
import { makeExt2, ext2Needs } from "../fs/ext2/index.ts";
import { derivedUuid } from "../ids.ts";
import { initrdDevices } from "./initrd.ts";
import { dosPathInLinux, mountOptions } from "./names.ts";
import { REPORT_PREFIX, SHUTDOWN, reportLine, shellReadyLine } from "./protocol.ts";
import { checkRootInit, ROOT_NEEDS } from "./rootinit.ts";
export { ROOT_NEEDS } from "./rootinit.ts";
import { shWord, shWords, shGlobIn } from "./shellquote.ts";

/** Where the old initrd ends up, and with it the DOS partition mounted by /linuxrc. */
export const INITRD_DIR = "/initrd";
/** The wrapper that runs the HOWTO's rc lines before a user-supplied system's own init. */
export const WRAPPER_INIT = "/sbin/looproot-init";
/**
 * The project's static busybox, put out of the way in a user's root: the wrapper and the report
 * run with it, so they need nothing from the user's userland (a root may hold only /bin/sh and
 * /sbin/init, or a busybox without swapon or stat). The initrd's busybox at /initrd/bin is no
 * help: it has only the applets /linuxrc needs, and /initrd may be turned off.
 */
export const WRAPPER_BUSYBOX = "/sbin/looproot.d/busybox";
/** The built-in root's busybox. */
export const ROOT_BUSYBOX = "/bin/busybox";

/** 3.4: "/dev/loop0 / ext2 defaults 1 1" and "/dev/loop1 swap swap defaults 1 1". */
export function fstab(config: LooprootConfig): string {
  const lines = [
    "# /etc/fstab: the root and the swap are the two loop devices set up by /linuxrc (HOWTO 3.4).",
    `${config.boot.root.padEnd(14)} /      ext2   defaults 1 1`,
    "/dev/loop1     swap   swap   defaults 1 1",
    "proc           /proc  proc   defaults 0 0",
    "sysfs          /sys   sysfs  defaults 0 0",
  ];
  return lines.join("\n") + "\n";
}

/** The HOWTO's fake mount: `mount -f -t msdos /dev/hda1 /initrd/mnt` with the /linuxrc options. */
export function fakeMountLine(config: LooprootConfig): string {
  const opts = mountOptions(config);
  return (
    "mount " +
    shWords(["-f", "-t", config.dos.fsType, config.dos.device, `${INITRD_DIR}/mnt`, ...(opts ? ["-o", opts] : [])])
  );
}

/**
 * The shell lines that bring the loop root into service and report on it: remount rw (the
 * kernel mounted it `ro`), swap on /dev/loop1, the fake mount, then the machine-readable report.
 * Every command outside the shell's builtins runs as `$bb APPLET` (the busybox at `busybox`), and
 * the report reads /proc and /sys with the shell's own `read`, so no tool of the root is needed.
 */
export function rcLines(config: LooprootConfig, busybox = ROOT_BUSYBOX): string[] {
  const dosDir = dosPathInLinux(config, "").replace(/\/$/, "");
  const say = (key: Parameters<typeof reportLine>[0], rest = "") =>
    `echo "${reportLine(key)}${rest ? " " + rest : ""}"`;
  const lines = [
    `bb=${busybox}`,
    // Each process costs v86 far more than QEMU (issue 12): one mount for both, from the fstab lines.
    "$bb mount -a -t proc,sysfs 2>/dev/null",
    say("rc-started"),
    `$bb mount -n -o remount,rw / && ${say("root-rw")}`,
    `$bb swapon /dev/loop1 && ${say("swapon-ok")}`,
  ];
  if (config.root.fakeMount) {
    lines.push("# HOWTO 3.4: a 'fake' mount so that df and friends know where the DOS partition is.");
    lines.push("$bb " + fakeMountLine(config) + " 2>/dev/null");
  }
  lines.push(
    say("report-begin"),
    // uname -r without a process: the kernel's release as /proc has it.
    `k=; read k < /proc/sys/kernel/osrelease; ${say("kernel", "$k")}`,
    // The root's device number from mountinfo: 7:0 is /dev/loop0.
    `while read id parent dev root mnt rest; do [ "$mnt" = / ] && ${say("rootdev", "$dev")}; done < /proc/self/mountinfo`,
    // The last "/" line of /proc/mounts is the root as it is now (an initramfs "rootfs" may precede it).
    `r=; while read src mnt fs opts rest; do [ "$mnt" = / ] && r="$fs $opts"; done < /proc/mounts; [ -n "$r" ] && ${say("rootfs", "$r")}`,
    `for l in loop0 loop1; do f=; read f < /sys/block/$l/loop/backing_file 2>/dev/null; echo "${REPORT_PREFIX} $l $f"; done`,
    `n=0; while read name type size used prio; do n=$((n+1)); [ $n -gt 1 ] && ${say("swap", "$name $type $size")}; done < /proc/swaps`,
    `while read src mnt fs opts rest; do [ "$mnt" = ${INITRD_DIR}/mnt ] && ${say("dosmount", "$src $mnt $fs")}; done < /proc/mounts`,
    // stat, not wc -c: reading a whole image through the msdos driver takes seconds.
    `for f in ${shGlobIn((config.root.dosLink ? "/DOS" : INITRD_DIR + "/mnt") + dosDir)}; do [ -f "$f" ] && ${say("dosfile", '${f##*/} $($bb stat -c %s "$f")')}; done`,
    // MemTotal is meminfo's first line: stop there (the shell's read takes a byte per system call).
    `while read k v u; do [ "$k" = MemTotal: ] && { ${say("memtotal", "$v")}; break; }; done < /proc/meminfo`,
    say("report-end"),
  );
  return lines;
}

/** /etc/init.d/rcS of the built-in busybox root: the HOWTO's "rc file that mounts the disks". */
export function rcScript(config: LooprootConfig): string {
  return [
    "#!/bin/sh",
    "# /etc/init.d/rcS: run once by init (HOWTO 3.4's rc file).",
    "export PATH=/sbin:/bin:/usr/sbin:/usr/bin",
    ...rcLines(config),
    `printf '%s\\n' ${shWord(config.root.hostname)} > /proc/sys/kernel/hostname`,
    "",
  ].join("\n");
}

/** For a user-supplied root: run the rc lines, then hand over to the system's own init. */
export function wrapperInit(config: LooprootConfig): string {
  return [
    // Run by looproot's own busybox, so the user's /bin/sh may be anything or nothing.
    `#!${WRAPPER_BUSYBOX} sh`,
    "# Added by looproot: the HOWTO's rc changes for a root looproot did not build, then the system's own init.",
    "export PATH=/sbin:/bin:/usr/sbin:/usr/bin",
    ...rcLines(config, WRAPPER_BUSYBOX),
    'exec /sbin/init "$@"',
    "",
  ].join("\n");
}

/**
 * The steps that leave the disk clean, for the root's shutdown script and for typing at the
 * console of a root whose own shutdown did not run. The DOS partition cannot be unmounted: it
 * holds the file behind /dev/loop0, which is /. So: swap off and its loop freed, the root
 * remounted read-only (ext2 then writes its "clean" state through loop0 into the file), sync, and
 * then what unmounting the FAT would do now that nothing writes to it: clear the "volume dirty"
 * bit Linux set at mount (boot sector byte 0x25, 0x41 on FAT32), sync again.
 */
export function shutdownLines(config: LooprootConfig): string[] {
  const dev = config.dos.device;
  const dos = `${INITRD_DIR}/mnt`;
  return [
    "sync",
    `swapoff /dev/loop1 && echo "${SHUTDOWN.swapOff}"`,
    "losetup -d /dev/loop1 2>/dev/null",
    `if mount -n -o remount,ro / && grep -q ' / [^ ]* ro[, ]' /proc/mounts; then echo "${SHUTDOWN.rootRo}"; ro=yes; else ro=no; fi`,
    "sync",
    `if [ $ro = yes ] && umount -n ${dos} 2>/dev/null; then echo "${SHUTDOWN.dosUnmounted}"; sync; dos=clean; ` +
      `elif [ $ro = yes ] && grep -q '^${dev} ${dos} ' /proc/mounts; then ` +
      `${fatCleanCommand(dev)} && sync && dos=clean && echo "${SHUTDOWN.dosMarkedClean}"; fi`,
    `if [ $ro = yes ] && [ "$dos" = clean ]; then echo "${SHUTDOWN.done}"; else echo "${SHUTDOWN.unclean} root ro=$ro, dos=\${dos:-dirty}"; fi`,
  ];
}

/** Clears the FAT "volume dirty" bit of `dev` (a device or an image file); fails if it cannot read it. */
export function fatCleanCommand(dev: string): string {
  return (
    `{ off=37; [ "$(dd if=${dev} bs=1 skip=82 count=5 2>/dev/null)" = FAT32 ] && off=65; ` +
    `b=$(dd if=${dev} bs=1 skip=$off count=1 2>/dev/null | od -An -tu1); [ -n "$b" ] && ` +
    `printf "\\\\$(printf %o $((b & 254)))" | dd of=${dev} bs=1 seek=$off count=1 conv=notrunc 2>/dev/null; }`
  );
}

/** /etc/init.d/rcK: run by busybox init on poweroff, halt or reboot, before init kills every process. */
export function shutdownScript(config: LooprootConfig): string {
  return [
    "#!/bin/sh",
    "# /etc/init.d/rcK: run by init (inittab ::shutdown:) on poweroff, halt or reboot.",
    "export PATH=/sbin:/bin:/usr/sbin:/usr/bin",
    `echo "${SHUTDOWN.begin}"`,
    "# Every other process first, so that no file on the root is still open for writing.",
    "kill -TERM -1 2>/dev/null; sleep 1; kill -KILL -1 2>/dev/null",
    "dos=",
    ...shutdownLines(config),
    "",
  ].join("\n");
}

/**
 * Where systemd-shutdown runs its last hooks (systemd-shutdown(8)), in Debian 12's layout (/lib is
 * usr/lib in a merged-/usr root, which the tree's links resolve).
 */
export const SYSTEMD_SHUTDOWN_HOOK = "/lib/systemd/system-shutdown/looproot.shutdown";

/** The same hook for a root whose shutdown ends in Debian's /etc/init.d/halt or reboot (see sysvRcHookLines). */
export const SYSV_SHUTDOWN_HOOK = "/sbin/looproot.d/shutdown";

/**
 * A root's own shutdown kills every process, turns swap off, unmounts what it can and remounts the
 * rest read-only, then runs this hook just before the power-off (systemd-shutdown's hooks; Debian's
 * halt and reboot scripts through /etc/default/halt). The DOS partition stays mounted and writable
 * (it holds the root's file, which loop0 keeps open for writing), so its "volume dirty" bit is
 * cleared here, and the console hears that the disk is clean. Run by looproot's busybox, whose
 * shell runs its own applets: the root's tools may be gone by then.
 */
export function rootShutdownHook(config: LooprootConfig): string {
  return [
    `#!${WRAPPER_BUSYBOX} sh`,
    "# Added by looproot: run last by the root's own shutdown, when its root is read-only.",
    // systemd-shutdown's children write to where PID 1's output goes, not to the console.
    "exec >/dev/console 2>&1",
    "export PATH=/sbin:/bin:/usr/sbin:/usr/bin",
    `echo "${SHUTDOWN.begin}"`,
    "dos=",
    ...shutdownLines(config),
    "",
  ].join("\n");
}

/**
 * Debian's sysvinit, OpenRC and runit all end their shutdown in /etc/init.d/halt or
 * /etc/init.d/reboot (after umountroot has made the root read-only), and both scripts read
 * /etc/default/halt as a shell file first: the one place all three reach last, so looproot's hook
 * is called from there, for "stop" only (the scripts' other verbs do nothing).
 */
export function sysvRcHookLines(): string {
  return [
    "# Added by looproot: the DOS partition under the loop root marked clean before the machine stops.",
    // An if, and || true: sourced by a script that may run under set -e, whose halt must come anyway.
    `if [ "$1" = stop ] && [ -x ${SYSV_SHUTDOWN_HOOK} ]; then ${SYSV_SHUTDOWN_HOOK} || true; fi`,
    "",
  ].join("\n");
}

/**
 * The same steps typed at the console of a root whose own shutdown did not leave the disk clean.
 * The console echoes the typed line: the report's words are split in it by a pair of quotes
 * (`shut""down`), so only what the steps print, not their echo, reads as the end of the shutdown.
 */
export function consoleShutdownCommand(config: LooprootConfig): string {
  return ["dos=", ...shutdownLines(config), "sync; poweroff -f || halt -f"]
    .join("; ")
    .replaceAll(`${REPORT_PREFIX} shutdown`, `${REPORT_PREFIX} shut""down`);
}

const INITTAB = [
  "# busybox init: the rc script, then a shell on the serial console and on the screen.",
  "::sysinit:/etc/init.d/rcS",
  "ttyS0::respawn:-/bin/sh",
  "tty1::respawn:-/bin/sh",
  "::ctrlaltdel:/sbin/reboot",
  "# poweroff, halt, reboot: leave the loop root and the DOS partition clean first.",
  "::shutdown:/etc/init.d/rcK",
  "",
].join("\n");

const PROFILE = [
  "export PATH=/sbin:/bin:/usr/sbin:/usr/bin",
  "export PS1='\\u@\\h:\\w\\$ '",
  shellReadyLine(),
  "",
].join("\n");

/** The built-in root: busybox with its applet links, /etc, /dev, and the HOWTO's changes. */
export function busyboxRootTree(config: LooprootConfig, ing: Pick<Ingredients, "busyboxRoot" | "rootApplets">): Tree {
  const t = config.time;
  const e = (path: string, kind: TreeEntry["kind"], mode: number, more: Partial<TreeEntry> = {}): TreeEntry => ({
    path,
    kind,
    mode,
    uid: 0,
    gid: 0,
    mtime: t,
    ...more,
  });
  const text = (path: string, s: string, mode = 0o644) => e(path, "file", mode, { data: new TextEncoder().encode(s) });
  const tree: Tree = [];
  for (const d of [
    "/",
    "/bin",
    "/sbin",
    "/usr",
    "/usr/bin",
    "/usr/sbin",
    "/etc",
    "/etc/init.d",
    "/dev",
    "/proc",
    "/sys",
    "/root",
    "/home",
    "/var",
    "/var/log",
    "/mnt",
  ]) {
    tree.push(e(d, "dir", d === "/root" ? 0o700 : 0o755));
  }
  tree.push(e("/tmp", "dir", 0o1777));
  tree.push(e("/bin/busybox", "file", 0o755, { data: ing.busyboxRoot }));
  for (const applet of ing.rootApplets) {
    if (applet === "/bin/busybox" || applet === "/linuxrc") continue;
    const depth = applet.split("/").length - 2;
    tree.push(e(applet, "symlink", 0o777, { target: "../".repeat(depth) + "bin/busybox" }));
  }
  tree.push(text("/etc/inittab", INITTAB));
  tree.push(text("/etc/init.d/rcS", rcScript(config), 0o755));
  tree.push(text("/etc/init.d/rcK", shutdownScript(config), 0o755));
  tree.push(text("/etc/profile", PROFILE));
  tree.push(text("/etc/hostname", config.root.hostname + "\n"));
  tree.push(text("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"));
  tree.push(text("/etc/group", "root:x:0:\n"));
  tree.push(text("/etc/shadow", "root::10000:0:99999:7:::\n", 0o600));
  tree.push(
    text("/etc/motd", "A Linux whose root filesystem is a file on a DOS partition (Loopback Root Filesystem HOWTO).\n"),
  );
  tree.push(...initrdDevices(config));
  tree.push(e("/dev/ttyS0", "chardev", 0o660, { major: 4, minor: 64 }));
  tree.push(e("/dev/tty0", "chardev", 0o620, { major: 4, minor: 0 }));
  tree.push(e("/dev/tty2", "chardev", 0o620, { major: 4, minor: 2 }));
  return addHowtoChanges(config, tree);
}

/** 3.4's changes to any root tree: fstab, /initrd (+ /initrd/mnt target), /DOS, the rc hook. */
/** `wrapper`: the busybox for the wrapper init of a user's root (absent for the built-in root). */
export function addHowtoChanges(config: LooprootConfig, tree: Tree, wrapper?: Uint8Array): Tree {
  const t = config.time;
  const byPath = new Map(tree.map((x) => [x.path, x] as const));
  const put = (x: TreeEntry) => {
    // In a merged-/usr root /sbin is a link to usr/sbin: the file goes where the guest will look,
    // below the nearest folder the tree has, followed through its links.
    let anc = parentPath(x.path);
    const rest = [baseName(x.path)];
    while (anc !== "/" && !byPath.has(anc)) {
      rest.unshift(baseName(anc));
      anc = parentPath(anc);
    }
    const dir = resolveInTree(byPath, anc);
    if (dir.ok && dir.entry.kind === "dir" && dir.path !== anc)
      x = { ...x, path: (dir.path === "/" ? "" : dir.path) + "/" + rest.join("/") };
    for (let p = parentPath(x.path); !byPath.has(p); p = parentPath(p)) {
      byPath.set(p, { path: p, kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: t });
    }
    byPath.set(x.path, x);
  };
  put({
    path: "/etc/fstab",
    kind: "file",
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: t,
    data: new TextEncoder().encode(fstab(config)),
  });
  if (config.root.initrdDir) put({ path: INITRD_DIR, kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: t });
  if (config.root.dosLink)
    put({ path: "/DOS", kind: "symlink", mode: 0o777, uid: 0, gid: 0, mtime: t, target: INITRD_DIR + "/mnt" });
  for (const d of ["/proc", "/sys"])
    if (!byPath.has(d)) put({ path: d, kind: "dir", mode: 0o555, uid: 0, gid: 0, mtime: t });
  // The kernel mounts devtmpfs on /dev (CONFIG_DEVTMPFS_MOUNT) only if the root has the folder:
  // without it init starts with no console, and the report goes nowhere.
  if (!byPath.has("/dev")) put({ path: "/dev", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: t });
  if (wrapper) put({ path: WRAPPER_BUSYBOX, kind: "file", mode: 0o755, uid: 0, gid: 0, mtime: t, data: wrapper });
  if (wrapper)
    put({
      path: WRAPPER_INIT,
      kind: "file",
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtime: t,
      data: new TextEncoder().encode(wrapperInit(config)),
    });
  // A root's own poweroff leaves the DOS partition dirty without this hook (see rootShutdownHook).
  if (wrapper) addShutdownHook(config, byPath, put);
  return checkTree([...byPath.values()]);
}

/** The hook where the root's own shutdown runs it: systemd's hook folder, or Debian's halt and reboot scripts. */
function addShutdownHook(config: LooprootConfig, byPath: Map<string, TreeEntry>, put: (x: TreeEntry) => void): void {
  const file = (path: string, data: Uint8Array, mode: number): TreeEntry => ({
    path,
    kind: "file",
    mode,
    uid: 0,
    gid: 0,
    mtime: config.time,
    data,
  });
  const hook = new TextEncoder().encode(rootShutdownHook(config));
  if (["/lib/systemd/systemd", "/usr/lib/systemd/systemd"].some((p) => resolveInTree(byPath, p).ok))
    put(file(SYSTEMD_SHUTDOWN_HOOK, hook, 0o755));
  // Only where both of Debian's scripts read /etc/default/halt (initscripts' layout).
  const reads = (p: string) => {
    const r = resolveInTree(byPath, p);
    return r.ok && r.entry.kind === "file" && new TextDecoder().decode(r.entry.data).includes(". /etc/default/halt");
  };
  if (!reads("/etc/init.d/halt") || !reads("/etc/init.d/reboot")) return;
  put(file(SYSV_SHUTDOWN_HOOK, hook, 0o755));
  const old = resolveInTree(byPath, "/etc/default/halt");
  const had = old.ok && old.entry.kind === "file" ? new TextDecoder().decode(old.entry.data) : "";
  const ours = sysvRcHookLines();
  if (had.includes(ours)) return;
  const data = new TextEncoder().encode(had + (had && !had.endsWith("\n") ? "\n" : "") + ours);
  put(
    old.ok && old.entry.kind === "file"
      ? { ...old.entry, path: old.path, data }
      : file("/etc/default/halt", data, 0o644),
  );
}

/** A user-supplied tree ("copy an existing Linux installation into it") made ready for the loop root. */
export function userRootTree(config: LooprootConfig, tree: Tree, busybox: Uint8Array): Tree {
  const checked = checkTree(tree);
  // Whether the kernel can start its init (an i386 ELF, or a #! script whose interpreter resolves),
  // then the shell its own scripts need.
  checkRootInit(checked, "/sbin/init");
  const byPath = new Map(checked.map((x) => [x.path, x] as const));
  for (const [need, what] of [["/bin/sh", "a shell for its own scripts"]] as const) {
    const r = resolveInTree(byPath, need);
    let why: string | undefined;
    if (!r.ok) why = r.reason;
    else if (r.entry.kind !== "file") why = `${r.path} is a ${r.entry.kind}, not a regular file`;
    else if ((r.entry.mode & 0o111) === 0)
      why = `${r.path} is not executable (mode ${r.entry.mode.toString(8).padStart(4, "0")})`;
    if (why) {
      throw new LooprootError(
        ErrorCode.Tar,
        `the root tarball's ${need} is not usable (${why}); the loop root needs ${what}. A root needs ${ROOT_NEEDS}`,
        { field: "root.source" },
      );
    }
  }
  return addHowtoChanges(config, checked, busybox);
}

export function rootExt2Options(config: LooprootConfig) {
  return {
    blockSize: config.root.blockSize,
    bytesPerInode: config.root.bytesPerInode,
    reservedPercent: config.root.reservedPercent,
    label: config.root.label,
    uuid: derivedUuid(config, "root"),
    time: config.time,
  };
}

export function rootNeeds(config: LooprootConfig, tree: Tree): number {
  return ext2Needs(tree, rootExt2Options(config)).minBytes;
}

/** `into`: a zeroed window of root.sizeMiB to write the image in (its clusters on the disk). */
export function makeRootImage(config: LooprootConfig, tree: Tree, into?: Uint8Array): Uint8Array {
  return makeExt2(tree, { ...rootExt2Options(config), sizeBytes: config.root.sizeMiB * 1024 * 1024 }, into);
}
