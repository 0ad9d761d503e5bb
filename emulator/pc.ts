// Which PC a boot runs on: the machine and CPU names the CLI takes (--machine, --cpu; QEMU's own
// names, which Bochs's models are mapped from), what each machine is, and v86's one fixed PC.
// One place for these words, so the CLI, the engines, --json and the page say the same.

/** QEMU's machine types looproot boots on, and what each puts the disk and floppy on. */
export const MACHINES = {
  pc: "i440FX + PIIX3 (1996): PCI, the disk on PIIX3 IDE (8086:7010), the floppy on the ISA FDC",
  isapc: "ISA only, no PCI: the disk on the legacy IDE ports 0x1F0/IRQ 14, the floppy on the ISA FDC",
  q35: "Q35 + ICH9 (2009): PCI Express, the disk on ICH9 AHCI (8086:2922), the floppy on an ISA FDC",
} as const;
export type MachineName = keyof typeof MACHINES;

/** QEMU's 32-bit x86 CPU models, oldest first (`qemu-system-i386 -cpu help`); the HOWTO's PCs were 486s and Pentiums. */
export const CPUS = [
  "486",
  "pentium",
  "pentium2",
  "pentium3",
  "qemu32",
  "kvm32",
  "coreduo",
  "n270",
  "athlon",
  "core2duo",
] as const;
export type CpuName = (typeof CPUS)[number];

/** The PC an engine is asked for; an absent field is the engine's default. */
export interface PcChoice {
  machine?: MachineName;
  cpu?: CpuName;
}

/**
 * What v86 emulates, always: it has no machine or CPU to choose. Measured from a booted guest
 * (/proc/cpuinfo and /proc/bus/pci/devices under v86 0.5): the CPU answers CPUID as a Pentium III.
 */
export const V86_PC = {
  cpu: 'GenuineIntel family 6 model 7 stepping 3, "Pentium III (Katmai)" (CPUID also reports SSE2 and PNI), 1000 MHz',
  chipset:
    "i440FX host bridge (8086:1237), PIIX3 ISA bridge (8086:7000) and IDE (8086:7010, ata_piix), an NE2000 (10ec:8029), a Bochs VGA (1234:1111), an ISA floppy controller",
} as const;

export function isMachine(s: string): s is MachineName {
  return Object.hasOwn(MACHINES, s);
}
export function isCpu(s: string): s is CpuName {
  return (CPUS as readonly string[]).includes(s);
}

/** One line for the user: the machine, CPU and RAM a boot runs on. */
export function describePc(engine: string, pc: PcChoice, memoryMiB: number): string {
  if (engine === "v86") return `v86 (its fixed i440FX/PIIX3 PC), ${memoryMiB} MiB`;
  return `${engine} -M ${pc.machine ?? "pc"}${pc.cpu ? ` -cpu ${pc.cpu}` : " (its default CPU)"}, ${memoryMiB} MiB`;
}

/** The PC a boot ran on, for --json: the engine, its machine and CPU (null: the engine's default), the RAM. */
export function machineJson(engine: string, pc: PcChoice, memoryMiB: number) {
  return {
    engine,
    machine: engine === "v86" ? null : (pc.machine ?? null),
    cpu: engine === "v86" ? null : (pc.cpu ?? null),
    memoryMiB,
    description: engine === "v86" ? `${V86_PC.chipset}; CPU ${V86_PC.cpu}` : MACHINES[pc.machine ?? "pc"],
  };
}
export type MachineJson = ReturnType<typeof machineJson>;
