// Which CPU a 32-bit x86 program needs, read from its instructions (Debian binutils' objdump): every
// instruction a 486 lacks, each with the CPUID family that brought it. The hardware matrix
// (helpers/image-pcs.ts) skips the CPUs a committed binary cannot run on, and tests/images/isa.test.ts
// holds the busybox binaries to a 486.
import { execFileSync } from "node:child_process";

/** Family 5 is the Pentium, 6 the Pentium Pro / II and every later CPU. */
const LATER: [RegExp, number, string][] = [
  [/^cmov/, 6, "CMOVcc"],
  [/^fcmov/, 6, "FCMOVcc"],
  [/^fu?comip?$/, 6, "FCOMI/FUCOMI"],
  [/^(sysenter|sysexit)$/, 6, "SYSENTER/SYSEXIT"],
  [/^rdpmc$/, 6, "RDPMC"],
  // 0F 18-0F 1F: the hint-NOP space (multi-byte NOP, PREFETCHh, ENDBR32) came with the Pentium Pro;
  // a 486 or a Pentium traps on it with "invalid opcode".
  [/^(nopw|nopl|endbr32|endbr64)$/, 6, "0F 1E/0F 1F hint NOP"],
  [/^prefetch/, 6, "PREFETCH"],
  [
    /^(emms|fxsave|fxrstor|ldmxcsr|stmxcsr|lfence|sfence|mfence|clflush|movnti|fisttp|popcnt|lzcnt|tzcnt|movbe|crc32)$/,
    6,
    "SSE-era",
  ],
  [/^(rdtsc|rdtscp|cpuid|cmpxchg8b|rdmsr|wrmsr|rsm)$/, 5, "Pentium"],
];
// MMX/SSE registers as operands. Pentium MMX had MMX, but QEMU's and Bochs's "pentium" do not.
const VECTOR = /%[xy]?mm\d/;
const PREFIXES = new Set([
  "lock",
  "rep",
  "repz",
  "repnz",
  "repe",
  "repne",
  "data16",
  "data32",
  "addr16",
  "addr32",
  "cs",
  "ds",
  "es",
  "fs",
  "gs",
  "ss",
  "notrack",
  "bnd",
]);

export interface IsaReport {
  /** The CPUID family the program needs: 4 when a 486 runs all of it. */
  family: number;
  /** mnemonic -> count, for every instruction a 486 lacks. */
  misfits: Map<string, number>;
  /** Instructions disassembled (a sanity count: zero means objdump read nothing). */
  instructions: number;
}

/** Every instruction in objdump's disassembly text that a 486 lacks. */
export function scanDisassembly(text: string): IsaReport {
  const misfits = new Map<string, number>();
  let family = 4;
  let instructions = 0;
  for (const line of text.split("\n")) {
    // "  401000:\t0f 44 c2             \tcmove  %edx,%eax": a line with a third field starts an instruction.
    const fields = line.split("\t");
    if (fields.length < 3 || !/^\s*[0-9a-f]+:$/.test(fields[0])) continue;
    const words = fields[2].trim().split(/\s+/);
    while (words.length > 1 && PREFIXES.has(words[0])) words.shift();
    const mnemonic = words[0];
    if (!mnemonic || mnemonic === "(bad)") continue;
    instructions++;
    let need = 0;
    for (const [re, fam] of LATER) if (re.test(mnemonic)) need = Math.max(need, fam);
    if (VECTOR.test(words.slice(1).join(" "))) need = 6;
    if (need) {
      misfits.set(mnemonic, (misfits.get(mnemonic) ?? 0) + 1);
      family = Math.max(family, need);
    }
  }
  return { family, misfits, instructions };
}

/** objdump -d of an i386 ELF file, scanned. */
export function scanBinary(path: string): IsaReport {
  const text = execFileSync("objdump", ["-d", "-M", "i386", path], { encoding: "latin1", maxBuffer: 256 << 20 });
  return scanDisassembly(text);
}

/** "cmove x12, endbr32 x4" */
export function describeMisfits(misfits: Map<string, number>): string {
  return [...misfits].map(([m, n]) => `${m} x${n}`).join(", ");
}
