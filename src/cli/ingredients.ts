// Reads the guest binaries from images/ for the CLI, the tests and the benchmark.

import { readFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAppletList, INGREDIENT_FILES, type Ingredients, type DosSystem } from "../ingredients.ts";
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

/** SeaBIOS and its VGA BIOS, as taken out of Debian's seabios package. */
export function loadBios(): { bios: Uint8Array; vgaBios: Uint8Array } {
  return { bios: read("debian/bios.bin"), vgaBios: read("debian/vgabios-stdvga.bin") };
}
