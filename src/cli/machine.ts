// The CLI's machine choice: --engine, --machine, --cpu and --ram for boot, run and shell, checked
// before anything starts (exit 2 naming the option and what it takes).

import type { LooprootConfig } from "../config.ts";
import { LIMITS } from "../validate.ts";
import { memoryNeeds } from "../howto/memory.ts";
import { fmt } from "../util/fmt.ts";
import { MACHINES, CPUS, isMachine, isCpu, type PcChoice } from "../../emulator/pc.ts";
import { BOCHS_MACHINES, BOCHS_CPUS } from "../../emulator/bochs-config.ts";
import type { ParsedArgs } from "./args.ts";
import { UsageError } from "./errors.ts";
import { ENGINES, type EngineName } from "../../emulator/node-engines.ts";

function isEngine(s: string): s is EngineName {
  return (ENGINES as readonly string[]).includes(s);
}

export interface MachineChoice {
  engine: EngineName;
  pc: PcChoice;
  /** The config with --ram applied to machine.memoryMiB. */
  config: LooprootConfig;
}

/** --engine, --machine, --cpu, --ram from the command line, checked; `config` is the one being booted. */
export function machineChoice(args: ParsedArgs, config: LooprootConfig): MachineChoice {
  const given = args.opts.get("--engine") ?? "v86";
  if (!isEngine(given)) throw new UsageError(`--engine ${given}: expected one of ${ENGINES.join(", ")}`);
  const engine = given;
  const machine = args.opts.get("--machine");
  const cpu = args.opts.get("--cpu");
  if (engine === "v86" && (machine !== undefined || cpu !== undefined)) {
    throw new UsageError(
      `${machine !== undefined ? "--machine" : "--cpu"}: v86 emulates one fixed PC (i440FX/PIIX3, a Pentium III); choose --engine qemu or bochs to pick a machine or CPU`,
    );
  }
  const pc: PcChoice = {};
  if (machine !== undefined) {
    const allowed = engine === "bochs" ? BOCHS_MACHINES : (Object.keys(MACHINES) as string[]);
    if (!isMachine(machine) || !allowed.includes(machine))
      throw new UsageError(
        `--machine ${machine}: expected one of ${allowed.join(", ")}${engine === "bochs" ? " (Bochs 2.7 has no Q35 chipset)" : ""}`,
      );
    pc.machine = machine;
  }
  if (cpu !== undefined) {
    const allowed = engine === "bochs" ? (Object.keys(BOCHS_CPUS) as string[]) : [...CPUS];
    if (!isCpu(cpu) || !allowed.includes(cpu))
      throw new UsageError(
        `--cpu ${cpu}: expected one of ${allowed.join(", ")}${engine === "bochs" ? " (the QEMU names of the models Bochs 2.7 has; it has no i486)" : ""}`,
      );
    pc.cpu = cpu;
  }
  if (args.flags.has("--net")) {
    // Bochs runs in a network namespace of its own (bochs.ts); QEMU's card (emulator/net.ts) is an e1000, a PCI card.
    if (engine === "bochs")
      throw new UsageError(
        "--net: Bochs runs without a network here (its display would otherwise listen on every interface); use --engine qemu or v86",
      );
    if (pc.machine === "isapc")
      throw new UsageError(
        "--net with --machine isapc: the network card is an e1000, a PCI card, and isapc has no PCI bus; use --machine pc or q35",
      );
  }
  const ram = args.opts.get("--ram");
  if (ram === undefined) return { engine, pc, config };
  const [lo, hi] = LIMITS.memoryMiB;
  if (!/^[0-9]{1,5}$/.test(ram) || Number(ram) < lo || Number(ram) > hi)
    throw new UsageError(`--ram ${ram}: expected a whole number of MiB from ${lo} to ${fmt(hi)}`);
  const next = { ...config, machine: { ...config.machine, memoryMiB: Number(ram) } };
  const need = memoryNeeds(next);
  if (Number(ram) < need.minMiB)
    throw new UsageError(
      `--ram ${ram}: too little, this boot chain needs at least ${need.minMiB} MiB because ${need.why}`,
    );
  return { engine, pc, config: next };
}
