import { extractSystem, ATTR_ARCHIVE } from "./fs/fat.ts";

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
  /** The bzImage that goes on the floppy as ZIMAGE. */
  kernel: Uint8Array;
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
