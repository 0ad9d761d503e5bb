// HOWTO 3.7, "Creating the Boot Floppy": `format a: /s`, then AUTOEXEC.BAT with its one LOADLIN
// line, LOADLIN.EXE, ZIMAGE and INITRDGZ.IMG.

import type { LooprootConfig } from "../config.ts";
import type { DosSystem } from "../ingredients.ts";
import { makeFat, fatSpace, ATTR_ARCHIVE, type FatOptions } from "../fs/fat/index.ts";
import { derivedU32 } from "../ids.ts";
import { WRAPPER_INIT } from "./rootdev.ts";
import { kernelDosPath, kernelFileOnDisk } from "./kernel.ts";

/** DOS passes a program at most 126 characters of command tail (PSP:80h holds a count, the text and CR). */
export const DOS_TAIL_LIMIT = 126;
/** LOADLIN's parameter file, used when the options do not fit the command tail. */
export const PARAMS_FILE = "LOADLIN.PAR";

/** The kernel command line LOADLIN passes on: root=, ro, and the extra arguments. */
export function kernelArgs(config: LooprootConfig): string[] {
  const args = [`root=${config.boot.root}`];
  if (config.boot.readOnly) args.push("ro");
  if (config.root.source === "tar") args.push(`init=${WRAPPER_INIT}`);
  args.push(...config.boot.extraArgs.split(/\s+/).filter(Boolean));
  return args;
}

/** The init= the user gave in boot.extraArgs, which the kernel takes over looproot's own (the last one wins), if any. */
export function userInitArg(config: LooprootConfig): string | undefined {
  return config.boot.extraArgs
    .split(/\s+/)
    .filter((a) => a.startsWith("init="))
    .at(-1);
}

/** The kernel argument that keeps the kernel's own messages off the console (`quiet`, `loglevel=0..4`), if any. */
export function quietArg(config: LooprootConfig): string | undefined {
  return config.boot.extraArgs
    .split(/\s+/)
    .filter((a) => a === "quiet" || /^loglevel=[0-4]$/.test(a))
    .at(-1);
}

/**
 * The serial console's rates the chain can share: the 8250's rates up to its 115200 clock, which
 * LRDOS sets from CONFIG.SYS (SERIAL=<rate>) and the kernel from console=ttyS0,<rate>.
 */
export const SERIAL_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;
/** LRDOS's COM1 rate when CONFIG.SYS names none (images/dos/src/kernel/init.asm). */
export const LRDOS_BAUD = 115200;
/** The kernel's rate for a console=ttyS0 without one. */
const KERNEL_DEFAULT_BAUD = 9600;

/**
 * The serial console's rate the kernel arguments set: the last console=ttyS0[,<rate>[<parity>...]]
 * (NaN for a rate that is no number); undefined when the kernel has no serial console.
 */
export function serialBaud(config: LooprootConfig): number | undefined {
  const last = config.boot.extraArgs
    .split(/\s+/)
    .filter((a) => /^console=ttyS0(?:,|$)/.test(a))
    .at(-1);
  if (!last) return undefined;
  const rate = last.slice("console=ttyS0".length + 1).match(/^\d*/)![0];
  return last === "console=ttyS0" ? KERNEL_DEFAULT_BAUD : rate ? Number(rate) : NaN;
}

/** LRDOS's CONFIG.SYS: COM1 at the kernel console's rate, so the whole chain talks at one rate; none when LRDOS's own rate is that rate. */
export function lrdosConfigSys(config: LooprootConfig): string | undefined {
  const baud = serialBaud(config);
  return baud !== undefined && baud !== LRDOS_BAUD ? `SERIAL=${baud}\r\n` : undefined;
}

/** LOADLIN's options after the program name: the kernel, initrd=, then the kernel's own arguments. */
export function loadlinOptions(config: LooprootConfig): string[] {
  return [kernelDosPath(config), `initrd=${config.boot.initrdPath}`, ...kernelArgs(config)];
}

export function loadlinTail(config: LooprootConfig): string {
  return " " + loadlinOptions(config).join(" ");
}

/** 3.7: "The AUTOEXEC.BAT file should contain just one line". */
export function autoexecBat(config: LooprootConfig): string {
  const line = config.boot.paramsFile
    ? `${config.boot.loadlinPath} @\\${PARAMS_FILE}`
    : config.boot.loadlinPath + loadlinTail(config);
  return line + "\r\n";
}

/** LOADLIN's @params file: one option a line, the kernel image first. */
export function loadlinParams(config: LooprootConfig): string {
  return (
    ["# LOADLIN parameters (HOWTO 3.7's line, one option a line)", ...loadlinOptions(config)].join("\r\n") + "\r\n"
  );
}

/** A DOS path from the AUTOEXEC line ("\\zImage") as the FAT file name on the floppy ("ZIMAGE"). */
export function floppyName(dosPath: string): string {
  return dosPath
    .replace(/^[A-Za-z]:/, "")
    .replace(/^\\+/, "")
    .toUpperCase();
}

/** The program DOS runs for "\\loadlin": LOADLIN.EXE (COMMAND.COM tries .COM, .EXE, .BAT; we ship an .EXE). */
export function programName(dosPath: string): string {
  const name = floppyName(dosPath);
  return name.includes(".") ? name : name + ".EXE";
}

export interface FloppyParts {
  kernel: Uint8Array;
  initrdGz: Uint8Array;
  loadlin: Uint8Array;
  dos: DosSystem;
}

export function floppyFatOptions(config: LooprootConfig, dos: DosSystem): FatOptions {
  return {
    floppy: config.floppy.kind,
    driveNumber: 0x00,
    label: config.floppy.label,
    serial: derivedU32(config, "floppy-serial"),
    bootSector: dos.bootSector,
    time: config.time,
  };
}

/** The floppy's files in the order "format /s" and then COPY put them. */
export function floppyFiles(config: LooprootConfig, parts: FloppyParts) {
  const enc = new TextEncoder();
  const file = (path: string, data: Uint8Array, attributes = ATTR_ARCHIVE) => ({
    path,
    data,
    attributes,
    mtime: config.time,
  });
  // LRDOS reads SERIAL= from CONFIG.SYS; another DOS would call the line unknown.
  const configSys = parts.dos.name === "LRDOS" ? lrdosConfigSys(config) : undefined;
  const files = [
    ...parts.dos.files.map((f) => file(f.name, f.data, f.attributes)),
    ...(configSys ? [file("CONFIG.SYS", enc.encode(configSys))] : []),
    file("AUTOEXEC.BAT", enc.encode(autoexecBat(config))),
    file(programName(config.boot.loadlinPath), parts.loadlin),
    // The distribution kernel is in C:\LINUX instead (src/howto/kernel.ts).
    ...(kernelFileOnDisk(config) ? [] : [file(floppyName(config.boot.kernelPath), parts.kernel)]),
    file(floppyName(config.boot.initrdPath), parts.initrdGz),
  ];
  if (config.boot.paramsFile) files.push(file(PARAMS_FILE, enc.encode(loadlinParams(config))));
  return files;
}

export function floppySpace(config: LooprootConfig, parts: FloppyParts) {
  return fatSpace(floppyFatOptions(config, parts.dos), floppyFiles(config, parts), []);
}

export function makeBootFloppy(config: LooprootConfig, parts: FloppyParts): Uint8Array {
  return makeFat(floppyFatOptions(config, parts.dos), floppyFiles(config, parts), []);
}
