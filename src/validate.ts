// Every check that can be made from the config alone, before any image is built. Each problem
// names the field and the limit; the app shows them next to the fields, the CLI prints them.

import type { LooprootConfig, FloppyKind } from "./config.ts";
import { checkDosPath } from "./fs/dosname.ts";
import { SWAP_MIN_PAGES, SWAP_MAX_PAGES, SWAP_PAGE, SWAP_LABEL_MAX } from "./fs/swap.ts";
import { linuxDevice } from "./howto/names.ts";
import { memoryNeeds, type KernelMemory } from "./howto/memory.ts";
import { DOS_TAIL_LIMIT, LOADLIN_OPTION_MAX, loadlinTail, loadlinOptions, PARAMS_FILE as PARAMS_NAME } from "./howto/bootfloppy.ts";

export interface Problem {
  field: string;
  message: string;
  /** The limit that was broken, where there is one. */
  limit?: number | string;
}

export class ConfigError extends Error {
  constructor(public readonly problems: Problem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join("\n"));
    this.name = "ConfigError";
  }
}

/** Throws one error carrying every problem, so a user fixes them all in one go. */
export function assertValid(problems: Problem[]): void {
  if (problems.length) throw new ConfigError(problems);
}

export const fmt = (n: number) => n.toLocaleString("en-US");

/** DOS dates run from 1980; ext2's 32-bit timestamps end in January 2038. */
export const TIME_MIN = 315532800;
export const TIME_MAX = 2147483647;

export const LIMITS = {
  initrdKiB: [64, 4096] as const, // the kernel's RAM disk is 4,096 KiB unless ramdisk_size= says otherwise
  rootMiB: [1, 2000] as const,
  diskMiB: [4, 2047] as const, // FAT16 with 32 KiB clusters ends just below 2 GiB
  memoryMiB: [16, 1024] as const,
  reservedPercent: [0, 50] as const, // mke2fs refuses more than 50 %
  bytesPerInode: [1024, 67108864] as const,
};

const FLOPPIES: FloppyKind[] = ["360K", "720K", "1.2M", "1.44M", "2.88M"];

export function validateConfig(c: LooprootConfig): Problem[] {
  const problems: Problem[] = [];
  const bad = (field: string, message: string, limit?: number | string) => problems.push({ field, message, ...(limit !== undefined ? { limit } : {}) });
  const intIn = (field: string, v: number, [lo, hi]: readonly [number, number], unit = "") => {
    if (!Number.isInteger(v)) bad(field, `${v} is not a whole number`);
    else if (v < lo || v > hi) bad(field, `${fmt(v)}${unit} is outside the allowed range ${fmt(lo)}..${fmt(hi)}${unit}`);
  };
  const oneOf = <T>(field: string, v: T, allowed: readonly T[]) => {
    if (!allowed.includes(v)) bad(field, `${String(v)} is not one of ${allowed.join(", ")}`);
  };
  const dosPath = (field: string, v: string) => {
    try {
      checkDosPath(v);
    } catch (e) {
      bad(field, (e as Error).message);
    }
  };

  if (!c.name || c.name.length > 64) bad("name", "must be 1 to 64 characters");
  intIn("time", c.time, [TIME_MIN, TIME_MAX], " s");

  intIn("initrd.sizeKiB", c.initrd.sizeKiB, LIMITS.initrdKiB, " KiB");
  oneOf("initrd.blockSize", c.initrd.blockSize, [1024, 2048, 4096]);
  if (Number.isInteger(c.initrd.sizeKiB) && (c.initrd.sizeKiB * 1024) % c.initrd.blockSize) bad("initrd.sizeKiB", `${fmt(c.initrd.sizeKiB)} KiB is not a whole number of ${c.initrd.blockSize}-byte blocks`);
  intIn("initrd.bytesPerInode", c.initrd.bytesPerInode, LIMITS.bytesPerInode, " bytes");
  intIn("initrd.reservedPercent", c.initrd.reservedPercent, LIMITS.reservedPercent, " %");

  const dev = c.dos.device;
  if (/^\/dev\/hd[a-z]/.test(dev)) {
    bad("dos.device", `${dev} is the HOWTO's name for an old-IDE partition; Linux 6.1 has no old IDE driver and names the disk's first partition /dev/sda1`);
  } else if (!linuxDevice(dev) || !/^\/dev\/sd[a-p]([1-9]|1[0-5])$/.test(dev)) {
    bad("dos.device", `${dev} is not a disk partition name like /dev/sda1 (disk sda..sdp, partition 1..15)`);
  }
  oneOf("dos.fsType", c.dos.fsType, ["msdos", "vfat"]);
  dosPath("dos.directory", c.dos.directory);
  dosPath("dos.rootFile", c.dos.rootFile);
  dosPath("dos.swapFile", c.dos.swapFile);
  if (c.dos.rootFile.toUpperCase() === c.dos.swapFile.toUpperCase()) bad("dos.swapFile", "must differ from dos.rootFile");

  intIn("root.sizeMiB", c.root.sizeMiB, LIMITS.rootMiB, " MiB");
  oneOf("root.blockSize", c.root.blockSize, [1024, 2048, 4096]);
  intIn("root.bytesPerInode", c.root.bytesPerInode, LIMITS.bytesPerInode, " bytes");
  intIn("root.reservedPercent", c.root.reservedPercent, LIMITS.reservedPercent, " %");
  if (new TextEncoder().encode(c.root.label).length > 16) bad("root.label", `"${c.root.label}" is longer than ext2's 16 bytes`);
  oneOf("root.source", c.root.source, ["busybox", "tar"]);
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/.test(c.root.hostname)) bad("root.hostname", `"${c.root.hostname}" is not a host name (letters, digits and -, at most 63)`);
  if (c.root.dosLink && !c.root.initrdDir) bad("root.dosLink", "the /DOS link points into /initrd/mnt, so root.initrdDir must be on too");
  if (c.root.fakeMount && !c.root.initrdDir) bad("root.fakeMount", "the fake mount is on /initrd/mnt, so root.initrdDir must be on too");

  // mkswap's minimum of 10 pages rounds up to 1 MiB; the maximum is the header's page count.
  intIn("swap.sizeMiB", c.swap.sizeMiB, [Math.ceil((SWAP_MIN_PAGES * SWAP_PAGE) / 1048576), Math.floor((SWAP_MAX_PAGES * SWAP_PAGE) / 1048576)], " MiB");
  if (new TextEncoder().encode(c.swap.label).length > SWAP_LABEL_MAX) bad("swap.label", `"${c.swap.label}" is longer than the swap header's ${SWAP_LABEL_MAX} bytes`);

  intIn("disk.sizeMiB", c.disk.sizeMiB, LIMITS.diskMiB, " MiB");
  if (Number.isInteger(c.disk.sizeMiB) && Number.isInteger(c.root.sizeMiB) && Number.isInteger(c.swap.sizeMiB) && c.root.sizeMiB + c.swap.sizeMiB >= c.disk.sizeMiB) {
    bad("disk.sizeMiB", `${fmt(c.disk.sizeMiB)} MiB cannot hold the ${fmt(c.root.sizeMiB)} MiB root image and the ${fmt(c.swap.sizeMiB)} MiB swap image plus the partition's own structures: make it at least ${fmt(c.root.sizeMiB + c.swap.sizeMiB + 2)} MiB`);
  }
  volumeLabel("disk.label", c.disk.label, bad);
  oneOf("floppy.kind", c.floppy.kind, FLOPPIES);
  volumeLabel("floppy.label", c.floppy.label, bad);

  for (const f of ["loadlinPath", "kernelPath", "initrdPath"] as const) {
    const v = c.boot[f];
    if (!v.startsWith("\\")) bad(`boot.${f}`, `"${v}" must be a path from the floppy's root, starting with \\`);
    else dosPath(`boot.${f}`, v.slice(1));
  }
  if (!/^\/dev\/\S+$/.test(c.boot.root)) bad("boot.root", `"${c.boot.root}" is not a device path like /dev/loop0`);
  if (!/^[\x21-\x7e]*( [\x21-\x7e]+)*$/.test(c.boot.extraArgs.trim())) bad("boot.extraArgs", "must be printable ASCII words separated by spaces");
  if (!c.boot.paramsFile) {
    const tail = loadlinTail(c);
    if (tail.length > DOS_TAIL_LIMIT) {
      bad("boot.extraArgs", `the LOADLIN command tail is ${tail.length} characters; DOS passes at most ${DOS_TAIL_LIMIT} to a program: shorten it or turn on boot.paramsFile (LOADLIN's @params file)`, DOS_TAIL_LIMIT);
    }
  } else {
    // LOADLIN 1.6f reads each line of its @params file into a small buffer: an option of 80
    // characters or more makes it print "can't open image file for initrd" and return to DOS.
    const fieldOf = (i: number, o: string) => (i === 0 ? "boot.kernelPath" : o.startsWith("initrd=") ? "boot.initrdPath" : o.startsWith("root=") ? "boot.root" : "boot.extraArgs");
    loadlinOptions(c).forEach((o, i) => {
      if (o.length > LOADLIN_OPTION_MAX) bad(fieldOf(i, o), `the option "${o.length > 40 ? o.slice(0, 37) + "..." : o}" is ${o.length} characters; LOADLIN 1.6f takes at most ${LOADLIN_OPTION_MAX} per option in its params file (${PARAMS_NAME})`, LOADLIN_OPTION_MAX);
    });
  }
  intIn("machine.memoryMiB", c.machine.memoryMiB, LIMITS.memoryMiB, " MiB");
  if (Number.isInteger(c.machine.memoryMiB) && Number.isInteger(c.initrd.sizeKiB)) memoryProblem(c, bad);
  return problems;
}

/** machine.memoryMiB below what the chain needs (src/howto/memory.ts); the build checks again with the real initrd. */
export function memoryProblem(c: LooprootConfig, bad: (f: string, m: string, limit?: number) => void, kernel?: KernelMemory, initrdGzBytes = 0): void {
  const need = memoryNeeds(c, kernel, initrdGzBytes);
  if (c.machine.memoryMiB >= LIMITS.memoryMiB[0] && c.machine.memoryMiB < need.minMiB) {
    bad("machine.memoryMiB", `${fmt(c.machine.memoryMiB)} MiB is too little: this boot chain needs at least ${fmt(need.minMiB)} MiB because ${need.why}`, need.minMiB);
  }
}

function volumeLabel(field: string, v: string, bad: (f: string, m: string) => void) {
  if (v.length > 11) bad(field, `"${v}" is longer than a FAT volume label's 11 characters`);
  else if (!/^[A-Z0-9 !#$%&'()@^_`{}~-]*$/.test(v)) bad(field, `"${v}" may hold only upper-case letters, digits, spaces and ! # $ % & ' ( ) - @ ^ _ \` { } ~`);
}
