// The CLI's PC choice (--engine, --machine, --cpu, --ram): refused with exit 2 naming the option and
// what it takes, before any file is read; the QEMU arguments and bochsrc each choice becomes.
import { describe, it, expect } from "vitest";
import { main, parseArgs } from "../../src/cli/main.ts";
import { machineChoice } from "../../src/cli/machine.ts";
import { defaultConfig } from "../../src/config.ts";
import { memoryNeeds } from "../../src/howto/memory.ts";
import { LIMITS } from "../../src/validate.ts";
import { qemuArgs } from "../../emulator/qemu.ts";
import { bochsrc, cylinders, CYLINDER_BYTES } from "../../emulator/bochs-config.ts";
import { parseXp } from "../../emulator/bochs.ts";
import { textRows } from "../../emulator/qemu.ts";
import { CPUS } from "../../emulator/pc.ts";

async function cli(args: string[]) {
  const err: string[] = [];
  const code = await main(args, { out: () => {}, err: (s) => err.push(s) });
  return { code, err: err.join("\n") };
}
// Files that do not exist: the choice must be refused before they are looked at.
const files = ["--floppy", "/nonexistent/f.img", "--disk", "/nonexistent/d.img"];

describe("--engine, --machine, --cpu, --ram", () => {
  const { minMiB: min, why } = memoryNeeds(defaultConfig());
  it.each([
    [["--engine", "qemu", "--machine", "at"], "--machine at: expected one of pc, isapc, q35"],
    [["--engine", "qemu", "--cpu", "386"], `--cpu 386: expected one of ${CPUS.join(", ")}`],
    [["--machine", "isapc"], "--machine: v86 emulates one fixed PC"],
    [["--engine", "v86", "--cpu", "486"], "--cpu: v86 emulates one fixed PC"],
    [
      ["--engine", "bochs", "--machine", "q35"],
      "--machine q35: expected one of pc, isapc (Bochs 2.7 has no Q35 chipset)",
    ],
    [["--engine", "bochs", "--cpu", "486"], "--cpu 486: expected one of pentium, pentium2, pentium3, coreduo, n270"],
    [
      ["--engine", "qemu", "--ram", "0x40"],
      `--ram 0x40: expected a whole number of MiB from ${LIMITS.memoryMiB[0]} to 1,024`,
    ],
    [["--engine", "qemu", "--ram", "4096"], "--ram 4096: expected a whole number of MiB from"],
    [["--ram", "+64"], "--ram +64: expected a whole number"],
    [
      ["--engine", "qemu", "--ram", String(min - 1)],
      `--ram ${min - 1}: too little, this boot chain needs at least ${min} MiB because ${why}`,
    ],
    [["--engine", "kvm"], "--engine kvm: expected one of v86, qemu, bochs"],
    [["--engine", "bochs", "--net"], "--net: Bochs runs without a network here"],
    [
      ["--engine", "qemu", "--machine", "isapc", "--net"],
      "--net with --machine isapc: the network card is an e1000, a PCI card",
    ],
  ])("boot %j is refused with exit 2, naming the option", async (opts, message) => {
    for (const command of ["boot", "shell"]) {
      const r = await cli([command, ...opts, ...files]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
      expect(r.err).not.toContain("no such file");
      expect(r.err.split("\n")).toHaveLength(1);
    }
  });

  it("a valid choice: the PC, and --ram in the config booted", () => {
    const c = machineChoice(
      parseArgs(["boot", "--engine", "qemu", "--machine", "q35", "--cpu", "pentium", "--ram", String(min)]),
      defaultConfig(),
    );
    expect(c).toMatchObject({ engine: "qemu", pc: { machine: "q35", cpu: "pentium" } });
    expect(c.config.machine.memoryMiB).toBe(min);
    expect(machineChoice(parseArgs(["boot"]), defaultConfig())).toMatchObject({ engine: "v86", pc: {} });
  });

  it("QEMU gets -M and -cpu only when chosen, with the disk where the machine has it", () => {
    const base = { floppy: new Uint8Array(), memoryMiB: 20, bios: new Uint8Array(), vgaBios: new Uint8Array() };
    const plain = qemuArgs(base, "/r", "/r/disk.img");
    expect(plain).not.toContain("-M");
    expect(plain).not.toContain("-cpu");
    const q35 = qemuArgs({ ...base, pc: { machine: "q35", cpu: "486" } }, "/r", "/r/disk.img");
    expect(q35.join(" ")).toContain("-M q35 -cpu 486");
    expect(q35.join(" ")).toContain("file=/r/disk.img,if=ide");
    expect(q35.join(" ")).toContain("-m 20");
  });
});

describe("Bochs's configuration", () => {
  const files = {
    floppy: "/r/f.img",
    disk: { path: "/r/d.img", cylinders: 98 },
    serialTty: "/dev/pts/7",
    log: "/r/log",
    bios: "/b",
    vgaBios: "/v",
  };
  it("maps the QEMU CPU names to Bochs models and isapc to a PC without PCI", () => {
    expect(bochsrc(files, 32, { cpu: "pentium" })).toMatch(/^cpu: model=pentium, /m);
    expect(bochsrc(files, 32, { cpu: "pentium2" })).toMatch(/^cpu: model=p2_klamath, /m);
    expect(bochsrc(files, 32, {})).toMatch(/^cpu: count=1/m);
    expect(bochsrc(files, 32, { machine: "isapc" })).toContain("pci: enabled=0");
    expect(bochsrc(files, 32, { machine: "pc" })).toContain("pci: enabled=1, chipset=i440fx");
    expect(() => bochsrc(files, 32, { cpu: "486" })).toThrow(/no CPU model for 486/);
    const rc = bochsrc(files, 32);
    expect(rc).toContain("megs: 32\n");
    expect(rc).toContain("ata0-master: type=disk, path=/r/d.img, mode=flat, cylinders=98, heads=16, spt=63");
    expect(rc).toContain("com1: enabled=1, mode=term, dev=/dev/pts/7");
  });
  it("cylinders of 16 heads x 63 sectors: the default 48 MiB disk has 97 whole ones", () => {
    expect(CYLINDER_BYTES).toBe(516096);
    expect(cylinders(48 * 1048576)).toBe(97);
  });
  it("reads the VGA text from the debugger's xp dump", () => {
    const dump =
      "[bochs]:\n0x00000000000b8000 <bogus+       0>:\t0x4c\t0x07\t0x52\t0x07\t0x44\t0x07\t0x4f\t0x07\n0x00000000000b8008 <bogus+       8>:\t0x53\t0x07\n<bochs:3> ";
    const bytes = parseXp(dump);
    expect([...bytes]).toEqual([0x4c, 7, 0x52, 7, 0x44, 7, 0x4f, 7, 0x53, 7]);
    expect(textRows(bytes, 5)).toEqual(["LRDOS"]);
  });
});
