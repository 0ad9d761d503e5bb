import { extractSystem, ATTR_ARCHIVE, ATTR_HIDDEN, ATTR_READ_ONLY, ATTR_SYSTEM } from "./fs/fat/index.ts";

// The guest binaries a build needs. The core never loads them itself: the CLI reads them from
// images/, the browser fetches them, the tests pass whatever they like.

export interface DosSystem {
  /** Name shown to the user: "LRDOS" or what an uploaded floppy held. */
  name: string;
  /** 512 bytes; the formatter keeps its jump and code and writes its own BPB. */
  bootSector: Uint8Array;
  /** The system files "format /s" copies first, in this order (kernel, then shell). */
  files: { name: string; data: Uint8Array; attributes: number }[];
}

export interface Ingredients {
  /** The HOWTO kernel: the bzImage that goes on the floppy as ZIMAGE. */
  kernel: Uint8Array;
  /** The distribution kernel (src/howto/kernel.ts), when loaded: only boot.kernel "distro" needs it. */
  kernelDistro?: Uint8Array;
  /** Static busybox for the initrd, and the applet paths it answers to (busybox --list-full). */
  busyboxInitrd: Uint8Array;
  initrdApplets: string[];
  /** Static busybox for the built-in root, and its applet paths. */
  busyboxRoot: Uint8Array;
  rootApplets: string[];
  loadlin: Uint8Array;
  dos: DosSystem;
}

/**
 * The applet paths `busybox --list-full` printed, one a line: "usr/bin/awk" or "/bin/ash"; a bare
 * name ("ash", what a build without install directories prints) is taken to live in /bin.
 */
export function parseAppletList(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#") && !/\s/.test(l))
    .map((l) => (l.startsWith("/") ? l : l.includes("/") ? "/" + l : "/bin/" + l));
}

/** Where each guest binary lives under images/: the CLI reads these files, the page fetches them. */
export const INGREDIENT_FILES = {
  kernel: "kernel/bzImage",
  busyboxInitrd: "busybox/busybox-initrd",
  initrdApplets: "busybox/busybox-initrd.applets",
  busyboxRoot: "busybox/busybox-root",
  rootApplets: "busybox/busybox-root.applets",
  loadlin: "debian/LOADLIN.EXE",
  dosBoot: "dos/boot12.bin",
  dosKernel: "dos/LRDOS.SYS",
  dosShell: "dos/COMMAND.COM",
} as const;

/** The distribution kernel under images/: optional, so loaded apart from INGREDIENT_FILES. */
export const DISTRO_KERNEL_FILE = "kernel/bzImage-distro";

/**
 * "Bring your own DOS": the boot sector and system files of a bootable DOS floppy (the page's
 * upload and the CLI's --dos), in the order "format /s" copies them. Throws E_IMAGE when the
 * image is not a FAT floppy with a boot sector and system files.
 */
export function dosFromFloppy(image: Uint8Array): DosSystem {
  const sys = extractSystem(image);
  return {
    name: `your DOS (${sys.files.map((f) => f.path).join(", ")})`,
    bootSector: sys.bootSector,
    files: sys.files.map((f) => ({ name: f.path, data: f.data, attributes: f.attributes ?? ATTR_ARCHIVE })),
  };
}

/** The bytes of each INGREDIENT_FILES entry, however they were loaded (a file read, a fetch). */
export type IngredientBytes = Record<keyof typeof INGREDIENT_FILES, Uint8Array>;

/** Our own DOS from its three files: "format /s" makes the kernel file read-only, hidden and system. */
export function lrdosSystem(b: Pick<IngredientBytes, "dosBoot" | "dosKernel" | "dosShell">): DosSystem {
  return {
    name: "LRDOS",
    bootSector: b.dosBoot,
    files: [
      { name: "LRDOS.SYS", data: b.dosKernel, attributes: ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM },
      { name: "COMMAND.COM", data: b.dosShell, attributes: ATTR_ARCHIVE },
    ],
  };
}

/** The Ingredients a build takes, from the bytes of the files under images/ (the CLI, the page and the package all load through this). */
export function ingredientsFromBytes(b: IngredientBytes): Ingredients {
  const applets = (u: Uint8Array) => parseAppletList(new TextDecoder().decode(u));
  return {
    kernel: b.kernel,
    busyboxInitrd: b.busyboxInitrd,
    initrdApplets: applets(b.initrdApplets),
    busyboxRoot: b.busyboxRoot,
    rootApplets: applets(b.rootApplets),
    loadlin: b.loadlin,
    dos: lrdosSystem(b),
  };
}
