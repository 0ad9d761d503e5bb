// `looproot shell`'s keys: everything goes to the guest except Ctrl-] and the command after it.
import { describe, it, expect } from "vitest";
import { EscapeReader, ESCAPE_KEY } from "../../src/cli/shell.ts";
import { main } from "../../src/cli/main.ts";

describe("looproot shell", () => {
  it("passes Ctrl-C and every other byte through; Ctrl-] q is a command, also split over reads", () => {
    const r = new EscapeReader();
    expect(r.feed(Uint8Array.from([0x6c, 0x73, 0x0d, 0x03]))).toEqual({ toGuest: Uint8Array.from([0x6c, 0x73, 0x0d, 0x03]), commands: [] });
    expect(r.feed(Uint8Array.from([0x61, ESCAPE_KEY]))).toEqual({ toGuest: Uint8Array.from([0x61]), commands: [] });
    expect(r.feed(Uint8Array.from([0x51, 0x62]))).toEqual({ toGuest: Uint8Array.from([0x62]), commands: ["q"] });
    expect(r.feed(Uint8Array.from([ESCAPE_KEY, ESCAPE_KEY]))).toEqual({ toGuest: Uint8Array.from([ESCAPE_KEY]), commands: [] });
  });

  it("refuses a missing file or an unknown engine with exit 2, before booting", async () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (s: string) => err.push(s) };
    expect(await main(["shell", "--floppy", "/nonexistent/f.img", "--disk", "/nonexistent/d.img"], io)).toBe(2);
    expect(await main(["shell", "--engine", "bochs", "--floppy", "a", "--disk", "b"], io)).toBe(2);
    expect(await main(["shell", "--floppy", "a"], io)).toBe(2);
    expect(err.join("\n")).toMatch(/f\.img: no such file[\s\S]*--engine bochs: expected v86 or qemu[\s\S]*needs --floppy FILE and --disk FILE/);
  });
});
