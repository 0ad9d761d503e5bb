// Guest images for booting images/kernel/bzImage directly (v86's bzimage/initrd/cmdline options,
// no DOS, no LOADLIN), built with Debian's tools: mke2fs -d, gzip -9, mkfs.fat, sfdisk, mcopy.
//
//   initrd (gzip'd ext2): /linuxrc mounts the FAT16 partition /dev/sda1 on /mnt, lists it, and
//                         attaches /mnt/linux/linuxdsk.img to /dev/loop0 as the HOWTO's script does
//   hard disk:            MBR + one FAT16 partition holding HELLO.TXT and LINUX\LINUXDSK.IMG
//   LINUXDSK.IMG (ext2):  the loop root, whose /sbin/init reports and stops
//
// The shell everywhere is images/busybox/busybox-initrd (static i386 musl busybox).

import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMachine, type Machine } from "../../emulator/machine.ts";

export const ROOT = join(import.meta.dirname, "..", "..");
export const BZIMAGE = join(ROOT, "images", "kernel", "bzImage");
export const BUSYBOX = join(ROOT, "images", "busybox", "busybox-initrd");
// The committed SeaBIOS (images/debian, from the pinned seabios package), as the app and the CLI use.
export const BIOS = join(ROOT, "images", "debian", "bios.bin");
export const VGABIOS = join(ROOT, "images", "debian", "vgabios-stdvga.bin");
export const WASM = join(ROOT, "node_modules", "v86", "build", "v86.wasm");

const env = { ...process.env, MTOOLS_SKIP_CHECK: "1", LC_ALL: "C" };
const APPLETS = ["sh", "mount", "losetup", "echo", "cat", "ls", "mkdir", "sleep", "test", "["];

// SeaBIOS reports 16 heads and 63 sectors per track for small disks: keep the MBR consistent.
const HEADS = 16;
const SECTORS = 63;
const CYLINDERS = 40; // 40 * 16 * 63 * 512 = 20,643,840 bytes
export const HELLO = "hello from the FAT16 partition\r\n";

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"] });
}

/** A directory tree with busybox as /bin/busybox and its applets as symlinks. */
function shellTree(dir: string): void {
  for (const d of ["bin", "sbin", "dev", "proc", "mnt", "initrd"]) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, "bin", "busybox"), readFileSync(BUSYBOX));
  chmodSync(join(dir, "bin", "busybox"), 0o755);
  for (const a of APPLETS) symlinkSync("busybox", join(dir, "bin", a));
}

function script(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

function ext2(dir: string, img: string, kb: number): void {
  // Fixed UUID, hash seed and time: the same inputs give the same image.
  execFileSync(
    "mke2fs",
    [
      "-q",
      "-F",
      "-t",
      "ext2",
      "-m",
      "0",
      "-U",
      "00000000-0000-0000-0000-000000000001",
      "-E",
      "hash_seed=00000000-0000-0000-0000-000000000002",
      "-d",
      dir,
      img,
      `${kb}`,
    ],
    {
      env: { ...env, E2FSPROGS_FAKE_TIME: "1704067200" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
}

export interface DirectImages {
  initrdGz: Uint8Array;
  hda: Uint8Array;
}

export function buildDirectImages(): DirectImages {
  const tmp = mkdtempSync(join(tmpdir(), "looproot-direct-"));
  try {
    // The initrd. /dev is empty on the ext2: /linuxrc mounts devtmpfs to get /dev/sda1 and /dev/loop0.
    const ird = join(tmp, "initrd");
    shellTree(ird);
    script(
      join(ird, "linuxrc"),
      [
        "#!/bin/sh",
        "echo 'LINUXRC: started'",
        "mount -n -t devtmpfs devtmpfs /dev",
        "if mount -n -t msdos /dev/sda1 /mnt; then echo 'LINUXRC: mounted /dev/sda1 on /mnt'; else echo 'LINUXRC: mount /dev/sda1 failed'; fi",
        "echo 'LINUXRC: ls /mnt:' $(ls /mnt)",
        'echo "LINUXRC: hello.txt says: $(cat /mnt/hello.txt)"',
        "losetup /dev/loop0 /mnt/linux/linuxdsk.img && echo 'LINUXRC: loop0 attached'",
        "echo 'LINUXRC: done'",
        "",
      ].join("\n"),
    );
    ext2(ird, join(tmp, "initrd.img"), 512);
    execFileSync("sh", ["-c", `gzip -9 -n -c '${join(tmp, "initrd.img")}' > '${join(tmp, "initrd.gz")}'`]);

    // The loop root: its /sbin/init proves the kernel switched to /dev/loop0.
    const root = join(tmp, "root");
    shellTree(root);
    script(
      join(root, "sbin", "init"),
      [
        "#!/bin/sh",
        "echo 'ROOT: /sbin/init on the loop root'",
        "mount -n -t proc proc /proc",
        "echo 'ROOT: mounts:'; cat /proc/mounts",
        "echo 'ROOT: done'",
        "while :; do sleep 1000; done",
        "",
      ].join("\n"),
    );
    ext2(root, join(tmp, "linuxdsk.img"), 1024);

    // MBR with one FAT16 partition from sector 63 (an even sector count: mkfs.fat counts KiB).
    const total = CYLINDERS * HEADS * SECTORS;
    const start = SECTORS;
    const size = (total - start) & ~1;
    const hdaPath = join(tmp, "hda.img");
    writeFileSync(hdaPath, Buffer.alloc(total * 512));
    execFileSync("sfdisk", ["--no-reread", "--no-tell-kernel", "-q", hdaPath], {
      input: `label: dos\nlabel-id: 0x4c525254\nstart=${start}, size=${size}, type=6, bootable\n`,
      env,
      stdio: ["pipe", "ignore", "pipe"],
    });
    run("mkfs.fat", [
      "-F",
      "16",
      "-h",
      `${start}`,
      "-g",
      `${HEADS}/${SECTORS}`,
      "-i",
      "4c525254",
      "-n",
      "LOOPROOT",
      `--offset=${start}`,
      hdaPath,
      `${size / 2}`,
    ]);
    const part = `${hdaPath}@@${start * 512}`;
    writeFileSync(join(tmp, "hello.txt"), HELLO);
    run("mcopy", ["-i", part, join(tmp, "hello.txt"), "::HELLO.TXT"]);
    run("mmd", ["-i", part, "::LINUX"]);
    run("mcopy", ["-i", part, join(tmp, "linuxdsk.img"), "::LINUX/LINUXDSK.IMG"]);
    return { initrdGz: readFileSync(join(tmp, "initrd.gz")), hda: readFileSync(hdaPath) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** v86 places the initrd at 64 MiB: the guest needs more memory than 64 MiB plus the initrd. */
export function memoryFor(initrdBytes: number): number {
  return 64 + Math.ceil(initrdBytes / (1024 * 1024)) + 16;
}

export const CMDLINE = "console=ttyS0 root=/dev/loop0 ro";

/** v86's direct Linux boot of `bzimage` with these images (no DOS): the test and images/kernel/measure-boot.ts. */
export function startDirectMachine(bzimage: Uint8Array, images: DirectImages = buildDirectImages()): Promise<Machine> {
  return startMachine({
    bzimage,
    initrd: images.initrdGz,
    cmdline: CMDLINE,
    hda: images.hda,
    memoryMB: memoryFor(images.initrdGz.length),
    bios: readFileSync(BIOS),
    vgaBios: readFileSync(VGABIOS),
    wasmPath: WASM,
  });
}
