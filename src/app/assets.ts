// The files under images/ that the page fetches: the guest ingredients (the table in
// src/ingredients.ts that the CLI reads from disk) and SeaBIOS. Vite serves them in dev and
// copies them into dist/images/ on build, so the page needs nothing from outside its origin.
// No DOM, no Node: vite.config.ts imports this too.

import { INGREDIENT_FILES, DISTRO_KERNEL_FILE } from "../ingredients.ts";

export const APP_INGREDIENT_FILES = INGREDIENT_FILES;

export const APP_BIOS_FILES = {
  bios: "debian/bios.bin",
  vgaBios: "debian/vgabios-stdvga.bin",
} as const;

/** Every path under images/ the page may load. */
export const APP_IMAGE_FILES: string[] = [
  ...Object.values(APP_INGREDIENT_FILES),
  DISTRO_KERNEL_FILE,
  ...Object.values(APP_BIOS_FILES),
];

/** Where Debian's seabios package keeps the two BIOS files (a fallback while images/debian is not there yet). */
export const SEABIOS_FALLBACK: Record<string, string> = {
  [APP_BIOS_FILES.bios]: "/usr/share/seabios/bios.bin",
  [APP_BIOS_FILES.vgaBios]: "/usr/share/seabios/vgabios-stdvga.bin",
};
