// One typed configuration for everything section 3 of the HOWTO asks the reader to choose.
// Defaults follow the HOWTO; where today's kernel or tools differ, `HOWTO_DIFFERENCES` says why.

import type { FloppyKind } from "./fs/fat/index.ts";
import { LooprootError, ErrorCode } from "./errors.ts";
import { safeText } from "./util/safe.ts";

export type { FloppyKind };
export type DosFsType = "msdos" | "vfat";

export interface InitrdConfig {
  /** 3.3: `dd ... bs=1k count=1024`. */
  sizeKiB: number;
  /** 3.3: `mke2fs -b 1024`. */
  blockSize: 1024 | 2048 | 4096;
  /** 3.3: `mke2fs -i 1024`. */
  bytesPerInode: number;
  /** 3.3: `mke2fs -m 5`. */
  reservedPercent: number;
}

export interface DosConfig {
  /** The DOS partition as Linux names it (the HOWTO's /dev/hda1; /dev/sda1 on a 6.x kernel). */
  device: string;
  /** `mount -t msdos` in the HOWTO; vfat keeps long names. */
  fsType: DosFsType;
  /** The HOWTO's variant `-o uid=0,gid=0,umask=000,quiet` so non-root users can write to DOS. */
  openPermissions: boolean;
  /** 3.6: the DOS directory C:\LINUX. */
  directory: string;
  /** 3.6: LINUXDSK.IMG, the root device. */
  rootFile: string;
  /** 3.6: LINUXSWP.IMG, the swap space. */
  swapFile: string;
}

export interface RootConfig {
  /** 3.4: the HOWTO used an 80 MB file; a busybox root needs far less. */
  sizeMiB: number;
  blockSize: 1024 | 2048 | 4096;
  bytesPerInode: number;
  reservedPercent: number;
  label: string;
  /** "busybox": the built-in tree; "tar": the user's tarball ("copy an existing Linux installation into it"). */
  source: "busybox" | "tar";
  /** 3.4 extras: /initrd for the old initrd, the /DOS link, the rc line that fake-mounts the DOS partition. */
  initrdDir: boolean;
  dosLink: boolean;
  fakeMount: boolean;
  hostname: string;
}

export interface SwapConfig {
  /** 3.5: "between 8MB and the amount of RAM that you have". */
  sizeMiB: number;
  label: string;
}

export interface DiskConfig {
  sizeMiB: number;
  label: string;
}

export interface FloppyConfig {
  kind: FloppyKind;
  label: string;
}

export interface BootConfig {
  /** 3.7: the AUTOEXEC.BAT line's paths, as DOS sees them on the floppy. */
  loadlinPath: string;
  kernelPath: string;
  initrdPath: string;
  /**
   * Which kernel LOADLIN boots: "howto" (small, on the floppy as in 3.7), "distro" (what systemd and
   * networking need; too big for the floppy, so in C:\LINUX), or "auto": distro for a root tarball.
   */
  kernel: "auto" | "howto" | "distro";
  /** `root=/dev/loop0`. */
  root: string;
  /** `ro`: the root is mounted read-only and remounted by the init scripts. */
  readOnly: boolean;
  /** Appended to the kernel command line, e.g. the consoles the harness reads. */
  extraArgs: string;
  /** Put the options in a LOADLIN @params file instead of the one AUTOEXEC line. */
  paramsFile: boolean;
}

export interface MachineConfig {
  memoryMiB: number;
}

export interface LooprootConfig {
  /** Seeds UUIDs, serials and labels, so the same config gives byte-identical images. */
  name: string;
  /** Every timestamp in every image, in seconds since 1970 (UTC). */
  time: number;
  initrd: InitrdConfig;
  dos: DosConfig;
  root: RootConfig;
  swap: SwapConfig;
  disk: DiskConfig;
  floppy: FloppyConfig;
  boot: BootConfig;
  machine: MachineConfig;
}

/** 3 June 1998 08:47 UTC: the date of /linuxrc in the HOWTO's listing. */
export const HOWTO_TIME = Date.UTC(1998, 5, 3, 8, 47, 0) / 1000;

export function defaultConfig(): LooprootConfig {
  return {
    name: "looproot",
    time: HOWTO_TIME,
    initrd: { sizeKiB: 1024, blockSize: 1024, bytesPerInode: 1024, reservedPercent: 5 },
    dos: {
      device: "/dev/sda1",
      fsType: "msdos",
      openPermissions: false,
      directory: "LINUX",
      rootFile: "LINUXDSK.IMG",
      swapFile: "LINUXSWP.IMG",
    },
    root: {
      sizeMiB: 24,
      blockSize: 1024,
      bytesPerInode: 4096,
      reservedPercent: 5,
      label: "looproot",
      source: "busybox",
      initrdDir: true,
      dosLink: true,
      fakeMount: true,
      hostname: "looproot",
    },
    swap: { sizeMiB: 8, label: "looproot-swap" },
    disk: { sizeMiB: 48, label: "LOOPROOT" },
    floppy: { kind: "1.44M", label: "LRBOOT" },
    boot: {
      loadlinPath: "\\loadlin",
      kernelPath: "\\zImage",
      initrdPath: "\\initrdgz.img",
      kernel: "auto",
      root: "/dev/loop0",
      readOnly: true,
      extraArgs: "console=tty0 console=ttyS0,115200",
      paramsFile: false,
    },
    machine: { memoryMiB: 64 },
  };
}

/** Where this product departs from the HOWTO's text, and why; the app shows these next to the choices. */
export const HOWTO_DIFFERENCES: { field: string; howto: string; here: string; why: string }[] = [
  {
    field: "dos.device",
    howto: "/dev/hda1",
    here: "/dev/sda1",
    why: "Linux 6.x has no old IDE driver (block major 3); the PIIX IDE controller is driven by libata and its disks appear as SCSI disks (major 8).",
  },
  {
    field: "boot.kernelPath",
    howto: "zImage (make zImage)",
    here: "a bzImage copied as ZIMAGE",
    why: "Today's x86 kernels only build bzImage; LOADLIN 1.6f loads it high. The HOWTO's file name is kept.",
  },
  {
    field: "boot.kernel",
    howto: "one kernel, ZIMAGE on the boot floppy",
    here: "the HOWTO kernel on the floppy; for a root tarball, a distribution kernel in C:\\LINUX",
    why: "Today's distributions (systemd, udev, D-Bus, DHCP) need sockets, cgroups, namespaces, network cards and ext4; that kernel is too big for a 1.44 MB floppy, and LOADLIN reads it from C: as well.",
  },
  {
    field: "linuxrc",
    howto: "no #! line",
    here: "#!/bin/sh first",
    why: "The listing in the HOWTO lost it; a 6.x kernel execs /linuxrc through binfmt_script and needs it.",
  },
  {
    field: "initrd /lib and /etc",
    howto: "ld-linux.so.1, libc.so.5, ld.so.cache",
    here: "empty /lib and /etc",
    why: "The shell, mount and losetup are one statically linked busybox, so no dynamic linker or libraries are needed.",
  },
  {
    field: "initrd /dev",
    howto: "hda, hda1-3 (3,x), loop0-1, null, tty, tty1, zero",
    here: "sda, sda1-3 (8,x), loop0-1, null, tty, tty1, zero, console",
    why: "The disk is a SCSI-named disk on 6.x kernels; /dev/console lets /linuxrc's messages reach the console.",
  },
  {
    field: "boot.extraArgs",
    howto: "(none)",
    here: "console=tty0 console=ttyS0,115200",
    why: "Kernel messages go to the screen and to the serial port, where the boot harness reads them, at the rate LRDOS sets COM1 to (115200, a 16550A's top rate: a timed UART carries the kernel's lines 12 times faster than the kernel's own 9600); another rate there goes into LRDOS's CONFIG.SYS too.",
  },
];

/** Parses a JSON config (possibly partial), filling defaults; unknown keys are errors so typos surface. */
export function mergeConfig(base: LooprootConfig, partial: unknown, path = ""): LooprootConfig {
  return mergeInto(structuredClone(base), partial, path) as LooprootConfig;
}

function mergeInto(target: unknown, src: unknown, path: string): unknown {
  if (src === undefined) return target;
  if (typeof target === "object" && target !== null && !Array.isArray(target)) {
    if (typeof src !== "object" || src === null || Array.isArray(src)) {
      throw new ConfigTypeError(path || "config", "must be an object");
    }
    const t = target as Record<string, unknown>;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      const p = path ? `${path}.${k}` : k;
      // Own keys only: toString, constructor and __proto__ are an object's, not settings.
      if (!Object.hasOwn(t, k)) throw new ConfigTypeError(safeText(p, 100), "is not a known setting");
      t[k] = mergeInto(t[k], v, p);
    }
    return t;
  }
  if (typeof target !== typeof src) throw new ConfigTypeError(safeText(path, 100), `must be a ${typeof target}, got ${src === null ? "null" : typeof src}`);
  return src;
}

/** A config (JSON, a link, --set) whose shape is wrong: an unknown key or a value of the wrong type. */
export class ConfigTypeError extends LooprootError {
  declare readonly field: string;
  constructor(field: string, message: string) {
    super(ErrorCode.Config, `${field}: ${message}`, { field, problems: [{ field, message }] });
    this.name = "ConfigTypeError";
  }
}
