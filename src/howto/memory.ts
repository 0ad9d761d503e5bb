// How much RAM the boot chain needs, from what it loads: the kernel (where it unpacks itself and
// how much room its setup header asks for), the initrd with its unpacked copy, and the root's init.
// Pure: the numbers of a bzImage come from its own setup header.

import type { LooprootConfig } from "../config.ts";
import { fmt } from "../util/fmt.ts";
import { kernelChoice } from "./kernel.ts";

const MiB = 1048576;

/** What a bzImage's setup header (Documentation/arch/x86/boot.rst) says about its memory. */
export interface KernelMemory {
  /** pref_address: where a non-relocatable kernel must run (LOAD_PHYSICAL_ADDR; Linux's default is 16 MiB, ours 1 MiB). */
  loadAddress: number;
  /** init_size: bytes the kernel needs from its run address while it unpacks and starts. */
  initSize: number;
  relocatable: boolean;
}

/** Reads the header of a bzImage (protocol 2.10 or later has pref_address and init_size). */
export function kernelMemory(bzImage: Uint8Array): KernelMemory | undefined {
  if (bzImage.length < 0x268) return undefined;
  const dv = new DataView(bzImage.buffer, bzImage.byteOffset, bzImage.byteLength);
  if (dv.getUint32(0x202, true) !== 0x53726448 /* "HdrS" */ || dv.getUint16(0x206, true) < 0x20a) return undefined;
  return {
    loadAddress: Number(dv.getBigUint64(0x258, true)),
    initSize: dv.getUint32(0x260, true),
    relocatable: bzImage[0x234] !== 0,
  };
}

/**
 * The project's HOWTO kernel (images/kernel/bzImage: not relocatable, PHYSICAL_START 1 MiB, so it
 * unpacks where LOADLIN loads it); a test checks these against the file.
 */
export const PROJECT_KERNEL: KernelMemory = { loadAddress: MiB, initSize: 3_526_656, relocatable: false };
/** The same for the distribution kernel (images/kernel/bzImage-distro, boot.kernel; src/howto/kernel.ts). */
export const PROJECT_DISTRO_KERNEL: KernelMemory = { loadAddress: MiB, initSize: 4_820_992, relocatable: false };

/** SeaBIOS keeps the top 128 KiB of RAM for itself (the e820 map marks it reserved). */
const BIOS_TOP_RESERVED = 128 * 1024;
/** Real-mode memory and the BIOS area below 1 MiB, where DOS and LOADLIN run. */
const LOW_MEMORY = MiB;
/** The loop root's init and the report's shell: two static busybox processes and their page tables. */
const INIT_RESERVE = 2 * MiB;

export interface MemoryNeeds {
  minMiB: number;
  /** One sentence: which part of the chain sets the minimum, with its numbers. */
  why: string;
}

/**
 * The least RAM (MiB) the chain boots in. Two things must fit: the kernel unpacking itself (a
 * non-relocatable kernel at its fixed address, needing init_size bytes from there, below the
 * BIOS's reserved top), and the running system (low memory, the kernel, the gzip'd initrd and
 * its unpacked copy in the RAM disk, the root's init). `initrdGzBytes` is 0 when not yet built.
 */
export function memoryNeeds(
  config: LooprootConfig,
  kernel: KernelMemory = kernelChoice(config) === "distro" ? PROJECT_DISTRO_KERNEL : PROJECT_KERNEL,
  initrdGzBytes = 0,
): MemoryNeeds {
  const at = kernel.relocatable ? MiB : kernel.loadAddress;
  const unpack = at + kernel.initSize + BIOS_TOP_RESERVED;
  const ramdisk = config.initrd.sizeKiB * 1024;
  const running = LOW_MEMORY + kernel.initSize + initrdGzBytes + ramdisk + INIT_RESERVE + BIOS_TOP_RESERVED;
  if (unpack >= running) {
    return {
      minMiB: Math.ceil(unpack / MiB),
      why: `the kernel${kernel.relocatable ? "" : " (not relocatable)"} unpacks itself at ${fmt(at / MiB)} MiB and needs ${fmt(kernel.initSize)} bytes from there (init_size in its setup header), below the 128 KiB the BIOS keeps at the top`,
    };
  }
  return {
    minMiB: Math.ceil(running / MiB),
    why: `the running system needs ${fmt(running)} bytes: 1 MiB of low memory, the kernel's ${fmt(kernel.initSize)}, the ${fmt(config.initrd.sizeKiB)} KiB RAM disk${initrdGzBytes ? ` and the ${fmt(initrdGzBytes)}-byte gzip'd initrd it is unpacked from` : ""}, 2 MiB for the root's init and 128 KiB the BIOS keeps`,
  };
}
