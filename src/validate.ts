// Every check that can be made from the config alone, before any image is built. Each problem
// names the field and the limit; the app shows them next to the fields, the CLI prints them.

import type { LooprootConfig, FloppyKind } from "./config.ts";
import { SETTINGS, EXT2_LABEL_MAX, type TextCheck } from "./settings.ts";
import { rowOf } from "./schema.ts";
import { checkDosPath, toDosName, DosNameError, DOS_MAX_PATH } from "./fs/fat/dosname.ts";
import { DOS_SYSTEM_FILES } from "./fs/fat/index.ts";
import { SWAP_LABEL_MAX } from "./fs/swap.ts";
import { linuxDevice } from "./howto/names.ts";
import { memoryNeeds, kernelMemory, type KernelMemory } from "./howto/memory.ts";
import { kernelChoice, kernelDosPath } from "./howto/kernel.ts";
import type { Value } from "./schema.ts";
import {
  DOS_TAIL_LIMIT,
  PARAMS_FILE,
  loadlinTail,
  loadlinOptions,
  floppyName,
  programName,
  floppySpace,
  serialBaud,
  SERIAL_RATES,
} from "./howto/bootfloppy.ts";
import type { Ingredients } from "./ingredients.ts";
import { LooprootError, ErrorCode, type Problem } from "./errors.ts";
import { fmt } from "./util/fmt.ts";

export { fmt } from "./util/fmt.ts";

export type { Problem };

/** E_CONFIG with every problem found; `problems` lists each with its field and limit. */
export class ConfigError extends LooprootError {
  /** `data.nothing`: what the problems stopped ("built" unless said: "booted" for boot's config). */
  constructor(problems: Problem[], data?: Record<string, unknown>) {
    super(ErrorCode.Config, problems.map((p) => `${p.field}: ${p.message}`).join("\n"), {
      problems,
      data,
      ...(problems.length === 1 ? { field: problems[0].field, limit: problems[0].limit } : {}),
    });
    this.name = "ConfigError";
  }
}

/** Throws one error carrying every problem, so a user fixes them all in one go. */
export function assertValid(problems: Problem[]): void {
  if (problems.length) throw new ConfigError(problems);
}

/** A whole-number setting's [least, most] (src/settings.ts). */
function rangeOf(path: string): readonly [number, number] {
  const r = rowOf(path);
  if (r?.kind !== "int") throw new Error(`${path} is not a whole-number setting`);
  return r.range;
}

/** The ranges other modules name (the CLI's --ram, the tarball's size hints). */
export const LIMITS = {
  initrdKiB: rangeOf("initrd.sizeKiB"),
  rootMiB: rangeOf("root.sizeMiB"),
  diskMiB: rangeOf("disk.sizeMiB"),
  memoryMiB: rangeOf("machine.memoryMiB"),
  reservedPercent: rangeOf("root.reservedPercent"),
  bytesPerInode: rangeOf("root.bytesPerInode"),
};

/** Characters COMMAND.COM gives a meaning in a batch line. */
export const BATCH_SPECIAL = "%<>|";
const BATCH_MEANING: Record<string, string> = {
  "%": "the start of a variable (%NAME%, %1)",
  "<": "input redirection",
  ">": "output redirection",
  "|": "a pipe",
};
/** The system files any DOS's "format /s" may put on the floppy (LRDOS's own and the common ones). */
const FLOPPY_SYSTEM_FILES = ["LRDOS.SYS", ...DOS_SYSTEM_FILES];

/** LOADLIN 1.6f: the longest option it reads from a params file. */
export const LOADLIN_PARAM_MAX = 79;

const FLOPPIES = (rowOf("floppy.kind") as { options: readonly { value: FloppyKind }[] }).options.map((o) => o.value);

type Bad = (field: string, message: string, limit?: number | string, fields?: string[]) => void;

/**
 * Checks config values against the machine looproot builds; `facts` adds the checks that need the
 * guest binaries' sizes (the CLI and the page pass them once the ingredients are known).
 */
export function validateConfig(c: LooprootConfig, facts?: GuestFacts): Problem[] {
  const problems: Problem[] = [];
  // `fields`: the other fields a cross-field problem involves (the page shows it at each of them).
  const bad: Bad = (field, message, limit, fields) =>
    problems.push({ field, message, ...(limit !== undefined ? { limit } : {}), ...(fields ? { fields } : {}) });
  for (const row of SETTINGS) {
    const v = valueAt(c, row.path);
    if (row.kind === "int") intIn(row.path, v as number, row.range, row.unit, bad);
    else if (row.kind === "choice") {
      const allowed: readonly Value[] = row.options.map((o) => o.value);
      if (!allowed.includes(v)) bad(row.path, `${String(v)} is not one of ${allowed.join(", ")}`);
    } else if (row.kind === "text") TEXT_CHECKS[row.check](row.path, v as string, bad);
  }
  crossChecks(c, facts, problems, bad);
  problems.push(...machineChecks(c, facts, problems));
  return problems;
}

function valueAt(c: LooprootConfig, path: string): Value {
  let v: unknown = c;
  for (const k of path.split(".")) v = (v as Record<string, unknown>)[k];
  return v as Value;
}

function intIn(field: string, v: number, [lo, hi]: readonly [number, number], unit: string, bad: Bad): void {
  const u = unit ? " " + unit : "";
  if (!Number.isInteger(v)) bad(field, `${v} is not a whole number`);
  else if (v < lo || v > hi)
    bad(field, `${fmt(v)}${u} is outside the allowed range ${fmt(lo)}..${fmt(hi)}${u}`, `${lo}..${hi}`);
}

/** A DOS path (dos.directory, or a file name inside it): the DOS name rules of fs/fat/dosname.ts. */
function dosPath(field: string, v: string, bad: Bad): boolean {
  try {
    checkDosPath(v);
    return true;
  } catch (e) {
    if (!(e instanceof DosNameError)) throw e; // anything else is a bug, not the user's name
    bad(field, e.message);
    return false;
  }
}

// A file name, not a path: the scripts and AUTOEXEC.BAT name it inside one folder.
function dosFile(field: string, v: string, where: string, bad: Bad): boolean {
  if (/[\\/]/.test(v)) {
    bad(field, `"${v}" holds a \\ or /: it must be a file name in ${where}, not a path`);
    return false;
  }
  return dosPath(field, v, bad);
}

/**
 * These reach AUTOEXEC.BAT, where COMMAND.COM (ours and MS-DOS's) expands % and reads < > as
 * redirections (and MS-DOS | as a pipe): LOADLIN would get something other than what the field
 * says. Refused with the params file too, so that switching it on or off keeps a config valid.
 */
function batchLine(field: string, v: string, bad: Bad): boolean {
  const ch = [...v].find((x) => BATCH_SPECIAL.includes(x));
  if (ch !== undefined)
    bad(
      field,
      `"${v}" holds '${ch}', which COMMAND.COM reads in AUTOEXEC.BAT as ${BATCH_MEANING[ch]}; the boot line cannot hold any of ${BATCH_SPECIAL.split("").join(" ")}`,
    );
  return ch === undefined;
}

function labelBytes(field: string, v: string, max: number, what: string, stored: string, bad: Bad): void {
  if (new TextEncoder().encode(v).length > max) bad(field, `"${v}" is longer than ${what} ${max} bytes`, max);
  else if (/[\x00-\x1f\x7f]/.test(v)) bad(field, `must not hold control characters (the label is stored ${stored})`);
}

/** The checks of each kind of text setting (src/settings.ts names one per row). */
const TEXT_CHECKS: Record<TextCheck, (field: string, v: string, bad: Bad) => void> = {
  name: (field, v, bad) => {
    if (!v || v.length > 64) bad(field, "must be 1 to 64 characters");
  },
  dosDevice: (field, dev, bad) => {
    if (/^\/dev\/hd[a-z]/.test(dev)) {
      bad(
        field,
        `${dev} is the HOWTO's name for an old-IDE partition; Linux 6.1 has no old IDE driver and names the disk's first partition /dev/sda1`,
      );
    } else if (!linuxDevice(dev) || !/^\/dev\/sd[a-p]([1-9]|1[0-5])$/.test(dev)) {
      bad(field, `${dev} is not a disk partition name like /dev/sda1 (disk sda..sdp, partition 1..15)`);
    }
  },
  dosDirectory: (field, v, bad) => void dosPath(field, v, bad),
  dosFile: (field, v, bad) => void dosFile(field, v, "dos.directory", bad),
  ext2Label: (field, v, bad) => labelBytes(field, v, EXT2_LABEL_MAX, "ext2's", "NUL-padded", bad),
  swapLabel: (field, v, bad) => labelBytes(field, v, SWAP_LABEL_MAX, "the swap header's", "NUL-terminated", bad),
  hostname: (field, v, bad) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/.test(v))
      bad(field, `"${v}" is not a host name (letters, digits and -, at most 63)`);
  },
  volumeLabel: (field, v, bad) => {
    if (v.length === 0)
      bad(field, "must be 1 to 11 characters: FORMAT writes a volume label, and an empty one cannot be stored", 11);
    else if (v.startsWith(" ")) bad(field, `"${v}" starts with a space, which DOS cannot tell from padding`);
    else if (v.length > 11) bad(field, `"${v}" is longer than a FAT volume label's 11 characters`, 11);
    else if (!/^[A-Z0-9 !#$%&'()@^_`{}~-]*$/.test(v))
      bad(field, `"${v}" may hold only upper-case letters, digits, spaces and ! # $ % & ' ( ) - @ ^ _ \` { } ~`);
  },
  // One reason a field is enough: the batch characters only once the name itself is good.
  floppyPath: (field, v, bad) => {
    if (!v.startsWith("\\")) bad(field, `"${v}" must be a path from the floppy's root, starting with \\`);
    else if (dosFile(field, v.slice(1), "the floppy's root directory", bad)) batchLine(field, v, bad);
  },
  loopDevice: (field, v, bad) => {
    batchLine(field, v, bad);
    if (!/^\/dev\/\S+$/.test(v)) bad(field, `"${v}" is not a device path like /dev/loop0`);
  },
  kernelArgs: (field, v, bad) => {
    batchLine(field, v, bad);
    if (!/^[\x21-\x7e]*( [\x21-\x7e]+)*$/.test(v.trim()))
      bad(field, "must be printable ASCII words separated by spaces");
  },
};

/** The rules that join settings: each needs the fields it reads to be good on their own first. */
function crossChecks(c: LooprootConfig, facts: GuestFacts | undefined, problems: Problem[], bad: Bad): void {
  // The fields already refused on their own (a rule that reads one of them says nothing more).
  const refused = new Set(problems.map((p) => p.field));
  const ok = (...fields: string[]) => fields.every((f) => !refused.has(f));
  const int = Number.isInteger;
  if (int(c.initrd.sizeKiB) && (c.initrd.sizeKiB * 1024) % c.initrd.blockSize)
    bad(
      "initrd.sizeKiB",
      `${fmt(c.initrd.sizeKiB)} KiB is not a whole number of ${c.initrd.blockSize}-byte blocks`,
      undefined,
      ["initrd.blockSize"],
    );
  if (ok("dos.rootFile", "dos.swapFile") && toDosName(c.dos.rootFile) === toDosName(c.dos.swapFile)) {
    bad(
      "dos.swapFile",
      `"${c.dos.swapFile}" is the same DOS file as dos.rootFile "${c.dos.rootFile}" (${toDosName(c.dos.rootFile)})`,
      undefined,
      ["dos.rootFile"],
    );
  }
  // DOS reaches a file only through a path of at most 63 characters.
  for (const f of ["rootFile", "swapFile"] as const) {
    if (!ok("dos.directory", `dos.${f}`)) continue;
    const full = "\\" + [...checkDosPath(c.dos.directory), toDosName(c.dos[f])].join("\\");
    if (full.length > DOS_MAX_PATH)
      bad(
        `dos.${f}`,
        `${full} has ${full.length} characters, more than the ${DOS_MAX_PATH} DOS can reach: shorten dos.directory or the name`,
        DOS_MAX_PATH,
      );
  }
  if (c.root.dosLink && !c.root.initrdDir)
    bad("root.dosLink", "the /DOS link points into /initrd/mnt, so root.initrdDir must be on too", undefined, [
      "root.initrdDir",
    ]);
  if (c.root.fakeMount && !c.root.initrdDir)
    bad("root.fakeMount", "the fake mount is on /initrd/mnt, so root.initrdDir must be on too", undefined, [
      "root.initrdDir",
    ]);
  if (
    int(c.disk.sizeMiB) &&
    int(c.root.sizeMiB) &&
    int(c.swap.sizeMiB) &&
    c.root.sizeMiB + c.swap.sizeMiB >= c.disk.sizeMiB
  ) {
    bad(
      "disk.sizeMiB",
      `${fmt(c.disk.sizeMiB)} MiB cannot hold the ${fmt(c.root.sizeMiB)} MiB root image and the ${fmt(c.swap.sizeMiB)} MiB swap image plus the partition's own structures: make it at least ${fmt(c.root.sizeMiB + c.swap.sizeMiB + 2)} MiB`,
      c.root.sizeMiB + c.swap.sizeMiB + 2,
      ["root.sizeMiB", "swap.sizeMiB"],
    );
  }
  // The floppy's files all sit in its root directory; no two may share a DOS name.
  const onFloppy = new Map<string, string>(FLOPPY_SYSTEM_FILES.map((n) => [n, "a DOS system file"]));
  onFloppy.set("AUTOEXEC.BAT", "AUTOEXEC.BAT");
  if (c.boot.paramsFile) onFloppy.set(PARAMS_FILE, "LOADLIN's @params file");
  for (const f of ["loadlinPath", "kernelPath", "initrdPath"] as const) {
    if (!ok(`boot.${f}`)) continue;
    const v = c.boot[f];
    const name = toDosName(f === "loadlinPath" ? programName(v) : floppyName(v));
    const other = onFloppy.get(name);
    if (other) bad(`boot.${f}`, `${name} is already on the floppy as ${other}: choose another name`);
    else onFloppy.set(name, `boot.${f}`);
  }
  if (!c.boot.paramsFile) {
    const tail = loadlinTail(c);
    if (tail.length > DOS_TAIL_LIMIT) {
      bad(
        "boot.extraArgs",
        `the LOADLIN command tail is ${tail.length} characters; DOS passes at most ${DOS_TAIL_LIMIT} to a program: shorten it or turn on boot.paramsFile (LOADLIN's @params file)`,
        DOS_TAIL_LIMIT,
        ["boot.paramsFile"],
      );
    }
  } else {
    // LOADLIN 1.6f reads each line of its @params file into a small buffer: an option of 80
    // characters or more makes it print "can't open image file for initrd" and return to DOS
    // (measured: 79 works). The problem goes to the field the option comes from.
    const fieldOf = (i: number, o: string) =>
      i === 0
        ? "boot.kernelPath"
        : o.startsWith("initrd=")
          ? "boot.initrdPath"
          : o.startsWith("root=")
            ? "boot.root"
            : "boot.extraArgs";
    loadlinOptions(c).forEach((o, i) => {
      if (o.length > LOADLIN_PARAM_MAX)
        bad(
          fieldOf(i, o),
          `the option "${o.length > 40 ? o.slice(0, 37) + "..." : o}" is ${o.length} characters; LOADLIN 1.6f takes at most ${LOADLIN_PARAM_MAX} per option in its params file (${PARAMS_FILE})`,
          LOADLIN_PARAM_MAX,
        );
    });
  }
  if (int(c.machine.memoryMiB) && int(c.initrd.sizeKiB))
    memoryProblem(
      c,
      bad,
      ok("boot.kernel") && kernelChoice(c) === "distro" ? facts?.distroKernelMemory : facts?.kernelMemory,
    );
}

/** machine.memoryMiB below what the chain needs (src/howto/memory.ts); the build checks again with the real initrd. */
export function memoryProblem(
  c: LooprootConfig,
  bad: (f: string, m: string, limit?: number) => void,
  kernel?: KernelMemory,
  initrdGzBytes = 0,
): void {
  const need = memoryNeeds(c, kernel, initrdGzBytes);
  if (c.machine.memoryMiB >= LIMITS.memoryMiB[0] && c.machine.memoryMiB < need.minMiB) {
    bad(
      "machine.memoryMiB",
      `${fmt(c.machine.memoryMiB)} MiB is too little: this boot chain needs at least ${fmt(need.minMiB)} MiB because ${need.why}`,
      need.minMiB,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// What can never work on the machine looproot builds, refused at input rather than found at boot.

/** The sizes of the guest binaries that go on the floppy (from the ingredients). */
export interface GuestFacts {
  kernelBytes: number;
  loadlinBytes: number;
  /** The DOS system files "format /s" puts on the floppy (LRDOS's, or the user's own). */
  dosFileBytes: number[];
  /** What the kernel's setup header says about its memory (for the RAM minimum). */
  kernelMemory?: KernelMemory;
  /** The same for the distribution kernel, when loaded (boot.kernel, src/howto/kernel.ts). */
  distroKernelMemory?: KernelMemory;
}

export function guestFacts(ing: Pick<Ingredients, "kernel" | "kernelDistro" | "loadlin" | "dos">): GuestFacts {
  return {
    kernelBytes: ing.kernel.length,
    loadlinBytes: ing.loadlin.length,
    dosFileBytes: ing.dos.files.map((f) => f.data.length),
    kernelMemory: kernelMemory(ing.kernel),
    ...(ing.kernelDistro ? { distroKernelMemory: kernelMemory(ing.kernelDistro) } : {}),
  };
}

/** The only partition the built hard disk has: one primary partition on the first IDE disk. */
export const DOS_DEVICE = "/dev/sda1";
/** /linuxrc attaches the root image to /dev/loop0 (and the swap image to /dev/loop1). */
export const LOOP_ROOT = "/dev/loop0";
export const LOOP_SWAP = "/dev/loop1";
/** i386 COMMAND_LINE_SIZE: the kernel keeps 2,048 bytes of command line, its final NUL included. */
export const KERNEL_CMDLINE_MAX = 2047;

/** The command line the kernel gets from LOADLIN: LOADLIN puts BOOT_IMAGE=<image> first. */
export function kernelCommandLine(c: LooprootConfig): string {
  const image = kernelDosPath(c).replace(/^\\+/, "");
  return [`BOOT_IMAGE=${image}`, ...loadlinOptions(c).slice(1)].join(" ");
}

/**
 * Per floppy kind, whether the kernel, LOADLIN and the DOS files alone (with an empty initrd and
 * AUTOEXEC.BAT) fit: a kind that fails here can never hold the boot files, whatever else is chosen.
 */
export function floppyKindsForKernel(
  c: LooprootConfig,
  facts: GuestFacts,
): { kind: FloppyKind; fits: boolean; needBytes: number; haveBytes: number }[] {
  const zero = (n: number) => new Uint8Array(n);
  const parts = {
    kernel: zero(facts.kernelBytes),
    loadlin: zero(facts.loadlinBytes),
    initrdGz: zero(0),
    dos: {
      name: "",
      bootSector: zero(512),
      files: facts.dosFileBytes.map((n, i) => ({ name: `SYS${i}.SYS`, data: zero(n), attributes: 0 })),
    },
  };
  return FLOPPIES.map((kind) => {
    const s = floppySpace({ ...c, floppy: { ...c.floppy, kind } }, parts);
    return { kind, fits: s.freeBytes >= 0, needBytes: s.usedBytes, haveBytes: s.totalDataBytes };
  });
}

function machineChecks(c: LooprootConfig, facts: GuestFacts | undefined, earlier: Problem[]): Problem[] {
  const problems: Problem[] = [];
  const bad = (field: string, message: string, fields?: string[]) =>
    problems.push(fields ? { field, message, fields } : { field, message });
  // A well-formed partition name that is not the built disk's one partition (the checks above
  // already explain malformed names and the HOWTO's /dev/hda1).
  if (/^\/dev\/sd[a-p]\d+$/.test(c.dos.device) && c.dos.device !== DOS_DEVICE) {
    bad(
      "dos.device",
      `the built hard disk is the PC's first disk (sda) with one partition, so Linux names it ${DOS_DEVICE}; ${c.dos.device} does not exist there`,
    );
  }
  if (/^\/dev\/\S+$/.test(c.boot.root) && c.boot.root !== LOOP_ROOT) {
    const why =
      c.boot.root === LOOP_SWAP
        ? `${LOOP_SWAP} is the swap image`
        : /^\/dev\/loop\d+$/.test(c.boot.root)
          ? `/linuxrc sets up only ${LOOP_ROOT} (the root image) and ${LOOP_SWAP} (the swap image)`
          : `the root is the image /linuxrc attaches to ${LOOP_ROOT}`;
    bad("boot.root", `must be ${LOOP_ROOT}: ${why}`);
  }
  const words = c.boot.extraArgs.split(/\s+/).filter(Boolean);
  // The kernel takes the last root= (and ro/rw), so these would silently override the fields that own them.
  const clash = words.find((w) => /^(root|initrd)=/.test(w) || w === (c.boot.readOnly ? "rw" : "ro"));
  if (clash) {
    const owner = clash.startsWith("root=")
      ? "boot.root"
      : clash.startsWith("initrd=")
        ? "boot.initrdPath"
        : "boot.readOnly";
    bad("boot.extraArgs", `"${clash}" overrides the choice ${owner} makes: set it there instead`, [owner]);
  }
  const baud = serialBaud(c);
  if (baud !== undefined && !(SERIAL_RATES as readonly number[]).includes(baud)) {
    bad(
      "boot.extraArgs",
      `console=ttyS0's rate must be one of ${SERIAL_RATES.join(", ")} (the 8250's rates, which LRDOS sets COM1 to as well)`,
    );
  }
  const cmdline = kernelCommandLine(c);
  if (cmdline.length > KERNEL_CMDLINE_MAX) {
    bad(
      "boot.extraArgs",
      `the kernel command line would be ${fmt(cmdline.length)} bytes; an i386 kernel keeps at most ${fmt(KERNEL_CMDLINE_MAX)} (COMMAND_LINE_SIZE 2,048 with its NUL) and drops the rest`,
    );
  }
  // The fit is computed from the floppy's real file list, so only once its names and kind are valid.
  if (facts && !earlier.some((p) => /^(boot|floppy)\./.test(p.field))) {
    const k = floppyKindsForKernel(c, facts).find((x) => x.kind === c.floppy.kind)!;
    if (!k.fits) {
      bad(
        "floppy.kind",
        `a ${c.floppy.kind} floppy holds ${fmt(k.haveBytes)} bytes of files, but the kernel (${fmt(facts.kernelBytes)} bytes), LOADLIN and DOS alone need ${fmt(k.needBytes)}: pick a larger floppy`,
      );
    }
  }
  return problems;
}
