// The bochsrc of one Bochs 2.7 run (Debian's build), pure: which CPU model and chipset stand for
// the CLI's QEMU names, the disk's geometry, and the headless settings.

import type { MachineName, CpuName, PcChoice } from "./pc.ts";

/** Bochs 2.7's CPU models for the QEMU names it has an equal of (`bochs --help cpu`); it has no i486. */
export const BOCHS_CPUS: Partial<Record<CpuName, string>> = {
  pentium: "pentium",
  pentium2: "p2_klamath",
  pentium3: "p3_katmai",
  coreduo: "core_duo_t2400_yonah",
  n270: "atom_n270",
};
/** pc: Bochs's i440FX with PIIX3 IDE; isapc: the same board with PCI off (IDE on the legacy ports). */
export const BOCHS_MACHINES: MachineName[] = ["pc", "isapc"];

/** ATA geometry: 16 heads, 63 sectors a track, 512-byte sectors; the cylinders follow the size. */
export const ATA_HEADS = 16;
export const ATA_SPT = 63;
export const CYLINDER_BYTES = ATA_HEADS * ATA_SPT * 512;
/** ATA's CHS limit (16 bits of cylinders); Bochs refuses more. */
export const ATA_MAX_CYLINDERS = 65535;

/**
 * Guest instructions per emulated second: the guest's clock runs by this count (clock: sync=none).
 * Low, because the BIOS and LOADLIN wait for the floppy in busy loops that last emulated time: 4 M
 * took 9.7 s of CPU to the shell where 40 M took 25.5 s (one run each, same load).
 */
export const BOCHS_IPS = 4_000_000;

export interface BochsFiles {
  floppy: string;
  disk?: { path: string; cylinders: number };
  /** The pty COM1 is attached to (the guest's serial console, both ways). */
  serialTty: string;
  log: string;
  bios: string;
  vgaBios: string;
}

/** Whole cylinders in `bytes` (a disk a cylinder short of its size leaves its end unseen). */
export function cylinders(bytes: number): number {
  return Math.floor(bytes / CYLINDER_BYTES);
}

/**
 * Why Bochs cannot run on this disk file as it is (--persist), or undefined: its ATA disk is whole
 * cylinders, so a file with a partial last cylinder would lose its tail to the guest (a copy is
 * padded instead).
 */
export function bochsDiskFileProblem(bytes: number): string | undefined {
  const c = cylinders(bytes);
  if (c < 1 || c > ATA_MAX_CYLINDERS)
    return `its ${bytes} bytes are ${c} cylinders of ${CYLINDER_BYTES} bytes (16 heads x 63 sectors); Bochs's ATA disk takes 1 to ${ATA_MAX_CYLINDERS}`;
  if (bytes % CYLINDER_BYTES)
    return `its ${bytes} bytes are not whole cylinders of ${CYLINDER_BYTES} bytes (16 heads x 63 sectors): Bochs's disk would end ${bytes - c * CYLINDER_BYTES} bytes short of the file; boot it without --persist (a padded copy), or with --engine qemu`;
  return undefined;
}

export function bochsrc(files: BochsFiles, memoryMiB: number, pc: PcChoice = {}): string {
  const model = pc.cpu ? BOCHS_CPUS[pc.cpu] : undefined;
  if (pc.cpu && !model) throw new Error(`Bochs has no CPU model for ${pc.cpu}`);
  const lines = [
    `megs: ${memoryMiB}`,
    `cpu: ${model ? `model=${model}, ` : ""}count=1, ips=${BOCHS_IPS}, reset_on_triple_fault=0`,
    `romimage: file=${files.bios}`,
    `vgaromimage: file=${files.vgaBios}`,
    // isapc: no PCI bus at all, as on the HOWTO's ISA PCs.
    pc.machine === "isapc" ? "pci: enabled=0" : "pci: enabled=1, chipset=i440fx",
    `floppya: 1_44=${files.floppy}, status=inserted`,
    "ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14",
    ...(files.disk
      ? [
          `ata0-master: type=disk, path=${files.disk.path}, mode=flat, cylinders=${files.disk.cylinders}, heads=${ATA_HEADS}, spt=${ATA_SPT}`,
        ]
      : []),
    "boot: floppy",
    "floppy_bootsig_check: disabled=0",
    `com1: enabled=1, mode=term, dev=${files.serialTty}`,
    // Debian's build has no nogui; rfb with no wait for a viewer is the headless one. Its port is
    // in a network namespace of its own (see bochs.ts), so it is reachable from nowhere.
    'display_library: rfb, options="timeout=0"',
    "clock: sync=none, time0=local",
    // Sound off: Debian's ALSA driver aborts the run where the host has no sound card.
    "speaker: enabled=0",
    "sound: driver=dummy",
    `log: ${files.log}`,
    "panic: action=fatal",
    "error: action=report",
    "info: action=ignore",
    "debug: action=ignore",
  ];
  return lines.join("\n") + "\n";
}
