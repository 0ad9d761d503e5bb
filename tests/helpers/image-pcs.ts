// Which PCs the committed images can boot, read from the images themselves: the kernel's config
// (images/kernel/config) and setup header, and the instructions in the busybox binaries (objdump, helpers/x86-isa.ts).
// The hardware matrix tests every cell they claim and names why it skips the others; images built
// for more PCs turn their cells on by themselves.
import { readFileSync } from "node:fs";
import { scanBinary, describeMisfits } from "./x86-isa.ts";
import { kernelMemory, memoryNeeds } from "../../src/howto/memory.ts";
import type { LooprootConfig } from "../../src/config.ts";
import type { MachineName, CpuName } from "../../emulator/pc.ts";

const CONFIG = readFileSync(new URL("../../images/kernel/config", import.meta.url), "utf8");
const has = (opt: string) => new RegExp(`^CONFIG_${opt}=y$`, "m").test(CONFIG);

/** The oldest CPU family the kernel runs on: no processor-family choice in the config is Linux's M686. */
function kernelFamily(): number {
  if (has("M386")) return 3;
  if (has("M486") || has("M486SX")) return 4;
  if (["M586", "M586TSC", "M586MMX"].some(has)) return 5;
  return 6;
}
/** CPUID family of QEMU's models (and Bochs's equals). */
const CPU_FAMILY: Record<CpuName, number> = {
  "486": 4,
  pentium: 5,
  pentium2: 6,
  pentium3: 6,
  qemu32: 6,
  kvm32: 6,
  coreduo: 6,
  n270: 6,
  athlon: 6,
  core2duo: 6,
};

/** The busybox binaries that need a later CPU than a 486, with the family they need (helpers/x86-isa.ts). */
const userland = ["busybox-initrd", "busybox-root"]
  .map((b) => [b, scanBinary(new URL(`../../images/busybox/${b}`, import.meta.url).pathname)] as const)
  .filter(([, r]) => r.family > 4);

/** Why the committed images cannot boot this PC, or undefined where they should. */
export function imagesCannot(machine: MachineName, cpu: CpuName): string | undefined {
  if (CPU_FAMILY[cpu] < kernelFamily())
    return `the kernel is built for family ${kernelFamily()} CPUs (no M486/M586 in images/kernel/config), -cpu ${cpu} is family ${CPU_FAMILY[cpu]}`;
  const needy = userland.filter(([, r]) => CPU_FAMILY[cpu] < r.family);
  if (needy.length)
    return `images/busybox/${needy.map(([b, r]) => `${b} needs family ${r.family} (${describeMisfits(r.misfits)})`).join(", ")}: -cpu ${cpu} is family ${CPU_FAMILY[cpu]} and traps with "invalid opcode" in /linuxrc`;
  if (machine === "isapc" && !has("PATA_LEGACY"))
    return "isapc has no PCI and the kernel has no ISA IDE driver (CONFIG_PATA_LEGACY)";
  if (machine === "q35" && !has("SATA_AHCI"))
    return "q35's disk is on ICH9 AHCI and the kernel has no CONFIG_SATA_AHCI";
  return undefined;
}

/** The least RAM the default chain boots in with the committed kernel (src/howto/memory.ts from its header). */
export function minimumMiB(config: LooprootConfig): number {
  const k = kernelMemory(new Uint8Array(readFileSync(new URL("../../images/kernel/bzImage", import.meta.url))));
  return memoryNeeds(config, k).minMiB;
}
