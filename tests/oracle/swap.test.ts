// mkswap's version-1 swap area against util-linux: blkid, swaplabel, and mkswap itself.

import { describe, it, expect, afterAll } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { makeSwap, SWAP_MIN_PAGES, SWAP_MAX_PAGES, SWAP_PAGE } from "../../src/fs/swap.ts";
import { tempDir, run, sha256 } from "./fat-oracles.ts";

const tmp = tempDir("swap");
afterAll(() => tmp.cleanup());

const UUID = "5c1d3a2b-7e4f-4a10-9b8c-0123456789ab";
const uuidBytes = (u: string) =>
  Uint8Array.from(
    u
      .replace(/-/g, "")
      .match(/../g)!
      .map((h) => parseInt(h, 16)),
  );

describe("makeSwap", () => {
  for (const [size, label] of [
    [8 << 20, "looproot-swap"],
    [SWAP_MIN_PAGES * SWAP_PAGE, ""],
    [(64 << 20) + 3 * 4096, "exactly15bytes!"],
  ] as const) {
    it(`${size.toLocaleString("en-US")} bytes, label "${label}": blkid, swaplabel and mkswap agree`, () => {
      const swap = makeSwap({ sizeBytes: size, uuid: uuidBytes(UUID), label: label || undefined });
      expect(swap.length).toBe(size);
      const img = tmp.file(`swap-${size}.img`, swap);
      const bl = run("blkid", ["-p", img]).stdout;
      expect(bl).toMatch(/ TYPE="swap"/);
      expect(bl).toMatch(new RegExp(` UUID="${UUID}"`));
      expect(bl).toMatch(/ VERSION="1"/);
      if (label) expect(bl).toMatch(new RegExp(` LABEL="${label}"`));
      else expect(bl).not.toMatch(/ LABEL=/);
      const sl = run("swaplabel", [img]).stdout;
      expect(sl).toMatch(new RegExp(`UUID:\\s+${UUID}`));
      if (label) expect(sl).toMatch(new RegExp(`LABEL: ${label}`));
      // The real mkswap on a zeroed file of the same size writes the very same bytes.
      const ref = tmp.file(`mkswap-${size}.img`, new Uint8Array(size));
      const mk = run("mkswap", ["-U", UUID, ...(label ? ["-L", label] : []), ref]);
      expect(mk.status, mk.stderr).toBe(0);
      expect(sha256(readFileSync(ref))).toBe(sha256(swap));
      const dv = new DataView(swap.buffer);
      expect(dv.getUint32(1028, true)).toBe(size / SWAP_PAGE - 1); // last_page
    });
  }

  it("the lower bound is mkswap's: 10 pages pass, 9 are refused by both", () => {
    const nine = tmp.file("nine.img", new Uint8Array(9 * SWAP_PAGE));
    expect(run("mkswap", [nine]).stderr).toMatch(/at least 40 KiB/);
    expect(() => makeSwap({ sizeBytes: 9 * SWAP_PAGE, uuid: new Uint8Array(16) })).toThrow(
      "swap sizeBytes: 36,864 bytes is 9 pages, fewer than mkswap's minimum of 10 (40,960 bytes)",
    );
  });

  it("errors name the field and the limit", () => {
    const uuid = new Uint8Array(16);
    expect(() => makeSwap({ sizeBytes: (SWAP_MAX_PAGES + 1) * SWAP_PAGE, uuid })).toThrow(
      "swap sizeBytes: 2,147,487,744 bytes is 524,289 pages, more than the 524,288 (2,147,483,648 bytes) an i386 kernel can use",
    );
    expect(() => makeSwap({ sizeBytes: 100_000, uuid })).toThrow(
      "swap sizeBytes: 100000 is not a whole number of 4096-byte pages",
    );
    expect(() => makeSwap({ sizeBytes: 1 << 20, uuid: new Uint8Array(15) })).toThrow(
      "swap uuid: 15 bytes, a UUID has 16",
    );
    expect(() => makeSwap({ sizeBytes: 1 << 20, uuid, label: "sixteen-bytes!!!" })).toThrow(
      /swap label: "sixteen-bytes!!!" is 16 bytes, more than the 15 mkswap stores/,
    );
    expect(() => makeSwap({ sizeBytes: 1 << 20, uuid, label: "a\0b" })).toThrow(/NUL/);
  });

  it("is deterministic", () => {
    const a = makeSwap({ sizeBytes: 1 << 20, uuid: uuidBytes(UUID), label: "x" });
    const b = makeSwap({ sizeBytes: 1 << 20, uuid: uuidBytes(UUID), label: "x" });
    expect(sha256(a)).toBe(sha256(b));
    writeFileSync(tmp.file("det.img"), a);
  });
});
