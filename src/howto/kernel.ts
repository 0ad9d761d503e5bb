// Which Linux kernel the chain boots, and where LOADLIN reads it from. The HOWTO kernel
// (images/kernel/bzImage) fits the boot floppy as ZIMAGE, as in 3.7. The distribution kernel
// (images/kernel/bzImage-distro: sockets, cgroups, NICs, ext4, what systemd needs) is too big for a
// 1.44 MB floppy with room to spare, so it goes beside the root image in C:\LINUX and the LOADLIN
// line names it there (LOADLIN reads any DOS path, and DOS has C: by then).

import type { LooprootConfig } from "../config.ts";
import { floppyName } from "./bootfloppy.ts";
import { dosPathInDos } from "./names.ts";
import { DISTRO_KERNEL_FILE, type Ingredients } from "../ingredients.ts";
import { LooprootError, ErrorCode } from "../errors.ts";

export type KernelChoice = "howto" | "distro";

/** "auto": the HOWTO kernel for the built-in busybox root, the distribution kernel for a user's root tarball. */
export function kernelChoice(config: LooprootConfig): KernelChoice {
  const k = config.boot.kernel;
  if (k === "auto") return config.root.source === "tar" ? "distro" : "howto";
  return k;
}

/** The kernel's file inside the hard disk's partition ("LINUX\\ZIMAGE"), or undefined when it is on the floppy. */
export function kernelFileOnDisk(config: LooprootConfig): string | undefined {
  return kernelChoice(config) === "distro" ? dosPathInDos(config, floppyName(config.boot.kernelPath)) : undefined;
}

/** The kernel as the LOADLIN line names it: "\\zImage" on the floppy, "C:\\LINUX\\ZIMAGE" on the disk. */
export function kernelDosPath(config: LooprootConfig): string {
  const onDisk = kernelFileOnDisk(config);
  return onDisk ? `C:\\${onDisk}` : config.boot.kernelPath;
}

/**
 * The inverse for a LOADLIN line read back from images: a kernel in a directory of C: is the
 * distribution kernel's place; its file name becomes boot.kernelPath. Undefined for other paths.
 */
export function kernelFromDosPath(path: string): { directory: string; kernelPath: string } | undefined {
  const m = /^[Cc]:\\(.+)\\([^\\]+)$/.exec(path);
  return m ? { directory: m[1], kernelPath: "\\" + m[2] } : undefined;
}

/** The bytes of the chosen kernel; E_INGREDIENTS when the distribution kernel was not loaded. */
export function chosenKernel(config: LooprootConfig, ing: Pick<Ingredients, "kernel" | "kernelDistro">): Uint8Array {
  if (kernelChoice(config) === "howto") return ing.kernel;
  if (!ing.kernelDistro) {
    throw new LooprootError(
      ErrorCode.Ingredients,
      `boot.kernel: the distribution kernel (images/${DISTRO_KERNEL_FILE}) is not available: build it with images/kernel/build.sh, or choose boot.kernel "howto"`,
      { field: "boot.kernel", data: { missing: [DISTRO_KERNEL_FILE] } },
    );
  }
  return ing.kernelDistro;
}
