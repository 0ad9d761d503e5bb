// Reads the guest binaries from images/ for the CLI, the tests and the benchmark.

import { readFileSync, existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { packageRoot } from "./package.ts";
import { parseAppletList, dosFromFloppy, INGREDIENT_FILES, type Ingredients, type DosSystem } from "../ingredients.ts";
import { LooprootError, ErrorCode } from "../errors.ts";
import { ATTR_ARCHIVE, ATTR_HIDDEN, ATTR_READ_ONLY, ATTR_SYSTEM } from "../fs/fat.ts";

export const REPO = packageRoot();
/** images/, or the folder LOOPROOT_IMAGES names (the browser tests and the CLI tests use stand-ins). */
export const IMAGES = process.env.LOOPROOT_IMAGES ? resolve(process.env.LOOPROOT_IMAGES) : join(REPO, "images");

export { INGREDIENT_FILES };

/** One E_INGREDIENTS error naming every missing file, so a fresh clone gets one line, not a stack. */
function requireFiles(rels: string[], dir = IMAGES): void {
  const missing = rels.filter((rel) => !existsSync(join(dir, rel)));
  if (missing.length) {
    throw new LooprootError(ErrorCode.Ingredients, `${missing.map((r) => (dir === IMAGES ? `images/${r}` : join(dir, r))).join(", ")} ${missing.length > 1 ? "are" : "is"} missing: run \`npm run images\` to build the guest binaries`, { data: { missing } });
  }
}

function read(rel: string, dir = IMAGES): Uint8Array {
  requireFiles([rel], dir);
  return new Uint8Array(readFileSync(join(dir, rel)));
}

const applets = (rel: string, dir: string) => parseAppletList(new TextDecoder().decode(read(rel, dir)));

/** Our own DOS (images/dos): boot sector, LRDOS.SYS and COMMAND.COM, from `dir` (default images/). */
export function lrdos(dir = IMAGES): DosSystem {
  const sys = ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM;
  return {
    name: "LRDOS",
    bootSector: read(INGREDIENT_FILES.dosBoot, dir),
    files: [
      { name: "LRDOS.SYS", data: read(INGREDIENT_FILES.dosKernel, dir), attributes: sys },
      { name: "COMMAND.COM", data: read(INGREDIENT_FILES.dosShell, dir), attributes: ATTR_ARCHIVE },
    ],
  };
}

/** Every guest binary a build needs, read from `dir` (default images/). */
export function loadIngredients(dir = IMAGES): Ingredients {
  requireFiles(Object.values(INGREDIENT_FILES), dir);
  return {
    kernel: read(INGREDIENT_FILES.kernel, dir),
    busyboxInitrd: read(INGREDIENT_FILES.busyboxInitrd, dir),
    initrdApplets: applets(INGREDIENT_FILES.initrdApplets, dir),
    busyboxRoot: read(INGREDIENT_FILES.busyboxRoot, dir),
    rootApplets: applets(INGREDIENT_FILES.rootApplets, dir),
    loadlin: read(INGREDIENT_FILES.loadlin, dir),
    dos: lrdos(dir),
  };
}

/** The largest floppy image (2.88M): a --dos file beyond it is not a floppy. */
const DOS_FLOPPY_MAX = 2_949_120;

/** `--dos FLOPPY`: the DOS system of a bootable DOS floppy image, as the page's upload takes it. */
export function dosFromFloppyFile(path: string): DosSystem {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new LooprootError(ErrorCode.InputFile, `--dos ${path}: not a regular file`, { field: "--dos" });
    size = st.size;
  } catch (e) {
    if (e instanceof LooprootError) throw e;
    throw new LooprootError(ErrorCode.InputFile, `--dos ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`, { field: "--dos" });
  }
  if (size > DOS_FLOPPY_MAX) throw new LooprootError(ErrorCode.InputFile, `--dos ${path}: ${size.toLocaleString("en-US")} bytes is larger than any floppy (2.88M: ${DOS_FLOPPY_MAX.toLocaleString("en-US")} bytes)`, { field: "--dos", limit: DOS_FLOPPY_MAX });
  try {
    return dosFromFloppy(new Uint8Array(readFileSync(path)));
  } catch (e) {
    if (e instanceof LooprootError) throw new LooprootError(e.code, `--dos ${path}: ${e.message}`, { field: "--dos" });
    throw e;
  }
}

/** SeaBIOS and its VGA BIOS, as taken out of Debian's seabios package. */
export function loadBios(dir = IMAGES): { bios: Uint8Array; vgaBios: Uint8Array } {
  requireFiles(["debian/bios.bin", "debian/vgabios-stdvga.bin"], dir);
  return { bios: read("debian/bios.bin", dir), vgaBios: read("debian/vgabios-stdvga.bin", dir) };
}
