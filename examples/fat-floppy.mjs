#!/usr/bin/env node
// A bootable DOS floppy from a folder, booted in v86 to the DOS prompt.
//
//   node fat-floppy.mjs [FOLDER] [OUT.img]
//
// FOLDER's files go onto a 1.44M FAT12 floppy after our own DOS (LRDOS.SYS, COMMAND.COM); names
// must be DOS 8.3 names (checked: a bad one is refused with the file's name). Without FOLDER the
// example makes one with an AUTOEXEC.BAT that greets you. The floppy is written to OUT.img
// (default floppy.img), then booted; the example exits 0 once COM1 shows the A:\> prompt.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { LooprootError } from "looproot";
import { makeFatFloppy, readFat } from "looproot/fs";
import { lrdos, bootAndWait } from "looproot/emulator/node";

let folder = process.argv[2];
const out = process.argv[3] ?? "floppy.img";
if (!folder) {
  folder = mkdtempSync(join(tmpdir(), "fat-floppy-"));
  writeFileSync(join(folder, "AUTOEXEC.BAT"), "@echo off\r\necho Hello from a looproot floppy\r\n");
  writeFileSync(join(folder, "README.TXT"), "Made by examples/fat-floppy.mjs\r\n");
}

// Every file under the folder, with its path relative to it ("GAMES/TETRIS.EXE").
const files = readdirSync(folder, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath ?? e.path, e.name))
  .sort()
  .map((p) => ({ path: relative(folder, p).split(sep).join("/"), data: readFileSync(p) }));

let floppy;
try {
  floppy = makeFatFloppy({ files, label: "LOOPROOT", system: lrdos() });
} catch (e) {
  // A LooprootError says what is wrong with which input (e.field: "files[3].path"); anything else is a bug.
  if (!(e instanceof LooprootError)) throw e;
  console.error(`fat-floppy: ${e.code} ${e.field ?? ""}: ${e.message}`);
  process.exit(2);
}
writeFileSync(out, floppy);
console.log(
  `${out}: ${floppy.length} bytes, ${readFat(floppy)
    .entries.map((e) => e.path)
    .join(", ")}`,
);

const r = await bootAndWait({ fda: floppy, memoryMB: 16, pattern: /A:\\>/, timeoutMs: 60_000 });
console.log(r.serial.trim());
console.log(r.matched ? `DOS prompt after ${(r.ms / 1000).toFixed(1)} s` : "no DOS prompt within 60 s");
process.exitCode = r.matched ? 0 : 1;
