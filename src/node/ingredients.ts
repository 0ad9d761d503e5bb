// Reads the guest binaries from images/ for the CLI, the tests and the benchmark.

import { readFileSync, existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { packageRoot } from "./package.ts";
import {
  dosFromFloppy,
  ingredientsFromBytes,
  lrdosSystem,
  INGREDIENT_FILES,
  DISTRO_KERNEL_FILE,
  type IngredientBytes,
  type Ingredients,
  type DosSystem,
} from "../ingredients.ts";
import { LooprootError, ErrorCode } from "../errors.ts";
import { fmt } from "../util/fmt.ts";

export const REPO = packageRoot();
/** images/, or the folder LOOPROOT_IMAGES names (the browser tests and the CLI tests use stand-ins). */
export const IMAGES = process.env.LOOPROOT_IMAGES ? resolve(process.env.LOOPROOT_IMAGES) : join(REPO, "images");

export { INGREDIENT_FILES };

/** One E_INGREDIENTS error naming every missing file, so a fresh clone gets one line, not a stack. */
function requireFiles(rels: string[], dir = IMAGES): void {
  const missing = rels.filter((rel) => !existsSync(join(dir, rel)));
  if (missing.length) {
    throw new LooprootError(
      ErrorCode.Ingredients,
      `${missing.map((r) => (dir === IMAGES ? `images/${r}` : join(dir, r))).join(", ")} ${missing.length > 1 ? "are" : "is"} missing: run \`npm run images\` to build the guest binaries`,
      { field: "dir", data: { missing } },
    );
  }
}

function read(rel: string, dir = IMAGES): Uint8Array {
  requireFiles([rel], dir);
  return new Uint8Array(readFileSync(join(dir, rel)));
}

const readAll = <K extends keyof IngredientBytes>(keys: K[], dir: string) => {
  requireFiles(
    keys.map((k) => INGREDIENT_FILES[k]),
    dir,
  );
  return Object.fromEntries(keys.map((k) => [k, read(INGREDIENT_FILES[k], dir)])) as Pick<IngredientBytes, K>;
};

/** Our own DOS (images/dos): boot sector, LRDOS.SYS and COMMAND.COM, from `dir` (default images/). */
export function lrdos(dir = IMAGES): DosSystem {
  return lrdosSystem(readAll(["dosBoot", "dosKernel", "dosShell"], dir));
}

/** Every guest binary a build needs, read from `dir` (default images/), and the distribution kernel if it is there. */
export function loadIngredients(dir = IMAGES): Ingredients {
  const ing = ingredientsFromBytes(readAll(Object.keys(INGREDIENT_FILES) as (keyof IngredientBytes)[], dir));
  const distro = join(dir, DISTRO_KERNEL_FILE);
  return existsSync(distro) ? { ...ing, kernelDistro: new Uint8Array(readFileSync(distro)) } : ing;
}

/** The largest floppy image (2.88M): a --dos file beyond it is not a floppy. */
const DOS_FLOPPY_MAX = 2_949_120;

/** `--dos FLOPPY`: the DOS system of a bootable DOS floppy image, as the page's upload takes it. */
export function dosFromFloppyFile(path: string): DosSystem {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile())
      throw new LooprootError(ErrorCode.InputFile, `--dos ${path}: not a regular file`, { field: "--dos" });
    size = st.size;
  } catch (e) {
    if (e instanceof LooprootError) throw e;
    throw new LooprootError(
      ErrorCode.InputFile,
      `--dos ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`,
      { field: "--dos" },
    );
  }
  if (size > DOS_FLOPPY_MAX)
    throw new LooprootError(
      ErrorCode.InputFile,
      `--dos ${path}: ${fmt(size)} bytes is larger than any floppy (2.88M: ${fmt(DOS_FLOPPY_MAX)} bytes)`,
      { field: "--dos", limit: DOS_FLOPPY_MAX },
    );
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
