// HOWTO 3.7, "Creating the Boot Floppy": `format a: /s`, then AUTOEXEC.BAT with its one LOADLIN
// line, LOADLIN.EXE, ZIMAGE and INITRDGZ.IMG.

import type { LooprootConfig } from "../config.ts";
import type { DosSystem } from "../ingredients.ts";
import { makeFat, fatSpace, ATTR_ARCHIVE, type FatOptions } from "../fs/fat.ts";
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
  return ["# LOADLIN parameters (HOWTO 3.7's line, one option a line)", ...loadlinOptions(config)].join("\r\n") + "\r\n";
}

/** A DOS path from the AUTOEXEC line ("\\zImage") as the FAT file name on the floppy ("ZIMAGE"). */
export function floppyName(dosPath: string): string {
  return dosPath.replace(/^[A-Za-z]:/, "").replace(/^\\+/, "").toUpperCase();
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
  const file = (path: string, data: Uint8Array, attributes = ATTR_ARCHIVE) => ({ path, data, attributes, mtime: config.time });
  const files = [
    ...parts.dos.files.map((f) => file(f.name, f.data, f.attributes)),
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
