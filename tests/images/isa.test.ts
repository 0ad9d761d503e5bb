// The committed busybox binaries run on a 486 (issue 23): objdump finds no instruction a 486 lacks
// (helpers/x86-isa.ts), and qemu-i386 emulating a 486, which traps CMOV and the rest with
// "invalid opcode", runs them.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IMAGES_DIR } from "../../images/manifest.ts";
import { describeMisfits, scanBinary } from "../helpers/x86-isa.ts";
import { qemuI386 } from "../helpers/i386.ts";

const BINARIES = ["busybox-initrd", "busybox-root"].map((b) => join(IMAGES_DIR, "busybox", b));
const tmp = mkdtempSync(join(tmpdir(), "looproot-isa-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Assemble 32-bit code with Debian's binutils and scan the object. */
function scanAsm(name: string, code: string) {
  const src = join(tmp, `${name}.s`);
  const obj = join(tmp, `${name}.o`);
  writeFileSync(src, `.text\n${code}\n`);
  execFileSync("as", ["--32", "-o", obj, src]);
  return scanBinary(obj);
}

describe("the instruction scan", () => {
  it("names every instruction a 486 lacks, with the family that brought it", () => {
    const r = scanAsm("later", [
      "cmove %edx,%eax", "fcmovne %st(1),%st", "fucomip %st(1),%st", "endbr32", "nopl 0x0(%eax)",
      "sysenter", "movq %mm0,%mm1", "movaps %xmm0,%xmm1", "lock cmpxchg8b (%esi)",
    ].join("\n"));
    expect([...r.misfits.keys()].sort()).toEqual(["cmove", "cmpxchg8b", "endbr32", "fcmovne", "fucomip", "movaps", "movq", "nopl", "sysenter"]);
    expect(r.family).toBe(6);
    const p = scanAsm("pentium", "rdtsc\ncpuid\nmovl %eax,%ebx");
    expect(Object.fromEntries(p.misfits)).toEqual({ rdtsc: 1, cpuid: 1 });
    expect(p.family).toBe(5);
  });

  it("passes what a 486 has: its own additions, x87, string ops, UD2", () => {
    const r = scanAsm("i486", [
      "bswap %eax", "lock cmpxchg %ecx,(%ebx)", "xadd %eax,(%ebx)", "fxch %st(1)", "fucomp %st(1)",
      "fnstsw %ax", "rep movsb", "nop", "xchg %ax,%ax", "lea 0x0(%esi),%esi", "ud2", "int $0x80",
    ].join("\n"));
    expect(describeMisfits(r.misfits)).toBe("");
    expect(r.family).toBe(4);
    expect(r.instructions).toBe(12);
  });
});

describe.each(BINARIES)("%s", (binary) => {
  it("has no instruction a 486 lacks", () => {
    const r = scanBinary(binary);
    expect(r.instructions).toBeGreaterThan(10_000);
    expect(describeMisfits(r.misfits), "objdump -d -M i386 finds these").toBe("");
    expect(r.family).toBe(4);
  });
});

const qemu = qemuI386();
describe.skipIf(!qemu)("on qemu-i386 -cpu 486", () => {
  const run = (binary: string, script: string) => {
    const r = spawnSync(qemu!, ["-cpu", "486", join(IMAGES_DIR, "busybox", binary), "sh", "-c", script], { encoding: "utf8", timeout: 60_000 });
    return { out: r.stdout, err: `${r.stderr} (signal ${r.signal}, status ${r.status})` };
  };
  it("busybox-initrd runs /linuxrc's kind of shell code", () => {
    const { out, err } = run("busybox-initrd", "test 3 -gt 2 && echo yes; mkdir -p /dev/null/x 2>/dev/null || echo no; echo done");
    expect(out, err).toBe("yes\nno\ndone\n");
  });
  it("busybox-root does 64-bit and floating-point arithmetic (libgcc's division, x87)", () => {
    const { out, err } = run("busybox-root", `echo $(( (1<<40) / 3 )) $(( -(1<<40) % 7 )); awk 'BEGIN { printf "%.4f %s\\n", 2/3, sqrt(2) }'; seq 3 | sort -r | tr '\\n' ' '`);
    expect(out, err).toBe("366503875925 -2\n0.6667 1.41421\n3 2 1 ");
  });
});
