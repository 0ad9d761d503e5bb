// One typed configuration for everything section 3 of the HOWTO asks the reader to choose.
// Defaults follow the HOWTO; where today's kernel or tools differ, `HOWTO_DIFFERENCES` says why.

import type { FloppyKind } from "./fs/fat/index.ts";
import { LooprootError, ErrorCode } from "./errors.ts";
import { safeText } from "./util/safe.ts";
import { SETTINGS, HOWTO_TIME } from "./settings.ts";
import { defaultsFromTable, type SettingsGroup, type TopSettings, type GroupName } from "./schema.ts";

export type { FloppyKind };
export { HOWTO_TIME };

// Each group's settings are the rows of src/settings.ts under its name; a row is all a new setting needs.
/** 3.3's initial ramdisk: `dd ... bs=1k count=1024`, `mke2fs -b 1024 -i 1024 -m 5`. */
export interface InitrdConfig extends SettingsGroup<"initrd"> {}
/** The DOS partition (/dev/hda1 in the HOWTO), how /linuxrc mounts it, and 3.6's C:\LINUX with its two image files. */
export interface DosConfig extends SettingsGroup<"dos"> {}
/** 3.4's root device, LINUXDSK.IMG: its ext2 filesystem, its contents and the HOWTO's extras (/initrd, /DOS, the fake mount). */
export interface RootConfig extends SettingsGroup<"root"> {}
/** 3.5's swap device, LINUXSWP.IMG: "between 8MB and the amount of RAM that you have". */
export interface SwapConfig extends SettingsGroup<"swap"> {}
/** The hard disk with its one FAT16 partition, C:. */
export interface DiskConfig extends SettingsGroup<"disk"> {}
/** 3.7's boot floppy (`format a: /s`). */
export interface FloppyConfig extends SettingsGroup<"floppy"> {}
/** 3.7's AUTOEXEC.BAT line: LOADLIN, the kernel, the initrd and the kernel's arguments. */
export interface BootConfig extends SettingsGroup<"boot"> {}
/** The emulated PC. */
export interface MachineConfig extends SettingsGroup<"machine"> {}

/** The groups of settings, each under its name. */
interface ConfigGroups {
  initrd: InitrdConfig;
  dos: DosConfig;
  root: RootConfig;
  swap: SwapConfig;
  disk: DiskConfig;
  floppy: FloppyConfig;
  boot: BootConfig;
  machine: MachineConfig;
}
/** Every setting: `name` seeds UUIDs, serials and labels, so the same config gives byte-identical images; `time` is every timestamp. */
export interface LooprootConfig extends TopSettings, ConfigGroups {}
// A row in a group the config has no member for fails to compile here: name the new group above.
type Groups = { [K in keyof LooprootConfig]: LooprootConfig[K] extends object ? K : never }[keyof LooprootConfig];
const sameGroups: [Groups] extends [GroupName] ? ([GroupName] extends [Groups] ? true : never) : never = true;
void sameGroups;

/** The HOWTO's choices as the HOWTO makes them, where today's kernel and tools allow (src/settings.ts). */
export function defaultConfig(): LooprootConfig {
  return defaultsFromTable() as unknown as LooprootConfig;
}

/** Differences that belong to no one setting: the initrd's own files. */
const HOWTO_NOTES: { field: string; howto: string; here: string; why: string }[] = [
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
];

/** Where this product departs from the HOWTO's text, and why; the app shows these next to the choices. */
export const HOWTO_DIFFERENCES: { field: string; howto: string; here: string; why: string }[] = [
  ...SETTINGS.flatMap((r) => ("today" in r ? [{ field: r.path, ...r.today }] : [])),
  ...HOWTO_NOTES,
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
  if (typeof target !== typeof src)
    throw new ConfigTypeError(
      safeText(path, 100),
      `must be a ${typeof target}, got ${src === null ? "null" : typeof src}`,
    );
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
