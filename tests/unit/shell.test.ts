// `looproot shell`'s keys: everything goes to the guest except Ctrl-] and the command after it.
import { describe, it, expect } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EscapeReader, ESCAPE_KEY, shellInputs } from "../../src/cli/shell.ts";
import { main, parseArgs } from "../../src/cli/main.ts";

describe("looproot shell", () => {
  it("passes Ctrl-C and every other byte through; Ctrl-] q is a command, also split over reads", () => {
    const r = new EscapeReader();
    expect(r.feed(Uint8Array.from([0x6c, 0x73, 0x0d, 0x03]))).toEqual({
      toGuest: Uint8Array.from([0x6c, 0x73, 0x0d, 0x03]),
      commands: [],
    });
    expect(r.feed(Uint8Array.from([0x61, ESCAPE_KEY]))).toEqual({ toGuest: Uint8Array.from([0x61]), commands: [] });
    expect(r.feed(Uint8Array.from([0x51, 0x62]))).toEqual({ toGuest: Uint8Array.from([0x62]), commands: ["q"] });
    expect(r.feed(Uint8Array.from([ESCAPE_KEY, ESCAPE_KEY]))).toEqual({
      toGuest: Uint8Array.from([ESCAPE_KEY]),
      commands: [],
    });
  });

  it("refuses a missing file or an unknown engine with exit 2, before booting", async () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (s: string) => err.push(s) };
    expect(await main(["shell", "--floppy", "/nonexistent/f.img", "--disk", "/nonexistent/d.img"], io)).toBe(2);
    expect(await main(["shell", "--engine", "kvm", "--floppy", "a", "--disk", "b"], io)).toBe(2);
    expect(await main(["shell", "--floppy", "a"], io)).toBe(2);
    expect(err.join("\n")).toMatch(
      /f\.img: no such file[\s\S]*--engine kvm: expected one of v86, qemu, bochs[\s\S]*needs --floppy FILE and --disk FILE/,
    );
  });

  it("boots with the config the images were built with, as boot does, not the defaults", async () => {
    const out = mkdtempSync(join(tmpdir(), "lr-shell-cfg-"));
    try {
      expect(
        await main(["build", "--out", out, "--set", "machine.memoryMiB=96", "--set", "swap.sizeMiB=16"], {
          out: () => {},
          err: () => {},
        }),
      ).toBe(0);
      const files = ["--floppy", join(out, "floppy.img"), "--disk", join(out, "disk.img")];
      const s = shellInputs(parseArgs(["shell", ...files]));
      expect(s.from).toBe(join(out, "looproot-config.json"));
      expect(s.config.machine.memoryMiB).toBe(96);
      expect(s.config.swap.sizeMiB).toBe(16);
      // --set still goes on top of what was built.
      expect(
        shellInputs(parseArgs(["shell", ...files, "--set", "machine.memoryMiB=128"])).config.machine.memoryMiB,
      ).toBe(128);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
