// Reads the guest binaries from images/ for the CLI, the tests and the benchmark.

import { readFileSync, existsSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAppletList, dosFromFloppy, INGREDIENT_FILES, type Ingredients, type DosSystem } from "../ingredients.ts";
import { LooprootError, ErrorCode } from "../errors.ts";
import { ATTR_ARCHIVE, ATTR_HIDDEN, ATTR_READ_ONLY, ATTR_SYSTEM } from "../fs/fat.ts";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const IMAGES = join(REPO, "images");

export { INGREDIENT_FILES };

function read(rel: string): Uint8Array {
  const p = join(IMAGES, rel);
  if (!existsSync(p)) throw new Error(`images/${rel} is missing: run \`npm run images\` to build the guest binaries`);
  return new Uint8Array(readFileSync(p));
}

const applets = (rel: string) => parseAppletList(new TextDecoder().decode(read(rel)));

export function lrdos(): DosSystem {
  const sys = ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM;
  return {
    name: "LRDOS",
    bootSector: read(INGREDIENT_FILES.dosBoot),
    files: [
      { name: "LRDOS.SYS", data: read(INGREDIENT_FILES.dosKernel), attributes: sys },
      { name: "COMMAND.COM", data: read(INGREDIENT_FILES.dosShell), attributes: ATTR_ARCHIVE },
    ],
  };
}

export function loadIngredients(): Ingredients {
  return {
    kernel: read(INGREDIENT_FILES.kernel),
    busyboxInitrd: read(INGREDIENT_FILES.busyboxInitrd),
    initrdApplets: applets(INGREDIENT_FILES.initrdApplets),
    busyboxRoot: read(INGREDIENT_FILES.busyboxRoot),
    rootApplets: applets(INGREDIENT_FILES.rootApplets),
    loadlin: read(INGREDIENT_FILES.loadlin),
    dos: lrdos(),
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
export function loadBios(): { bios: Uint8Array; vgaBios: Uint8Array } {
  return { bios: read("debian/bios.bin"), vgaBios: read("debian/vgabios-stdvga.bin") };
}
