// gzip -9 with pako against GNU gzip and file(1); the bounded gunzip against damaged input.

import { describe, it, expect, afterAll } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzip9, gunzip, crc32 } from "../../src/fs/gzip.ts";
import { tempDir, run, sha256, bytes } from "./fat-oracles.ts";

const tmp = tempDir("gzip");
afterAll(() => tmp.cleanup());

const inputs: [string, Uint8Array][] = [
  ["empty", new Uint8Array(0)],
  ["zeros", new Uint8Array(1 << 20)],
  ["random", bytes(200_000, 9)],
  ["text", readFileSync(fileURLToPath(new URL("../../../shared/seed/000_325c7c08e7c4b1d8.txt", import.meta.url)))],
  ["binary", readFileSync("/usr/bin/ls")],
];

describe("gzip9", () => {
  for (const [name, data] of inputs) {
    it(`${name}: gzip -t passes, gzip -d gives the input back, size close to gzip -9`, () => {
      const gz = gzip9(data);
      const f = tmp.file(`${name}.gz`, gz);
      expect(run("gzip", ["-t", f]).status).toBe(0);
      expect(sha256(run("gzip", ["-dc", f]).raw)).toBe(sha256(data));
      const ref = run("gzip", ["-9nc"], data).raw;
      expect(gz.length).toBeLessThanOrEqual(Math.ceil(ref.length * 1.08) + 16);
      // Header: deflate, no flags, MTIME 0, XFL 2 (max compression), OS 3 (Unix) — as gzip -9n.
      expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
      expect(sha256(gunzip(gz, data.length))).toBe(sha256(data));
      expect(sha256(gunzip(ref, data.length))).toBe(sha256(data));
    });
  }

  it("name and mtime go into the header; file(1) and gzip -lN read them", () => {
    const gz = gzip9(new TextEncoder().encode("hello\n"), { name: "initrd.img", mtime: 1_700_000_000 });
    const f = tmp.file("named.gz", gz);
    const out = run("file", [f]).stdout;
    expect(out).toMatch(
      /gzip compressed data, was "initrd.img", last modified: Tue Nov 14 22:13:20 2023, max compression, from Unix/,
    );
    expect(run("gzip", ["-lN", f]).stdout).toMatch(/initrd.img/);
    expect(() => gzip9(new Uint8Array(1), { name: "a\0b" })).toThrow(/gzip name: character 1/);
    expect(() => gzip9(new Uint8Array(1), { mtime: -1 })).toThrow("gzip mtime: -1 is outside 0..4294967295 seconds");
  });

  it("is deterministic", () => {
    for (const [, data] of inputs) expect(sha256(gzip9(data))).toBe(sha256(gzip9(data)));
  });
});

describe("gunzip on untrusted input", () => {
  const data = bytes(100_000, 3);
  const gz = gzip9(data);
  it("reads gzip's own output with FNAME, and joined members", () => {
    const f = tmp.file("plain.bin", data);
    const named = run("gzip", ["-9c", f]).raw;
    expect(named[3] & 8).toBe(8);
    expect(sha256(gunzip(named, 1 << 20))).toBe(sha256(data));
    const two = new Uint8Array([...gz, ...gzip9(new Uint8Array([1, 2, 3]))]);
    expect(gunzip(two, 1 << 20).length).toBe(100_003);
    expect(gunzip(new Uint8Array([...gz, 0, 0, 0, 0]), 1 << 20).length).toBe(100_000);
    // FEXTRA, FCOMMENT and FHCRC are skipped.
    const body = gz.subarray(10);
    const hdr = [0x1f, 0x8b, 8, 4 | 16 | 2, 0, 0, 0, 0, 0, 3, 3, 0, 1, 2, 3, 0x41, 0x42, 0, 0xaa, 0xbb];
    expect(sha256(gunzip(new Uint8Array([...hdr, ...body]), 1 << 20))).toBe(sha256(data));
  });
  it("stops at the size limit, naming it", () => {
    const bomb = gzip9(new Uint8Array(50 << 20));
    expect(bomb.length).toBeLessThan(100_000);
    expect(() => gunzip(bomb, 1 << 20)).toThrow("gzip: unpacked data exceeds the limit of 1,048,576 bytes");
    expect(gunzip(gz, 100_000).length).toBe(100_000);
    expect(() => gunzip(gz, 99_999)).toThrow(/limit of 99,999 bytes/);
    expect(() => gunzip(gz, -1)).toThrow(/maxBytes/);
  });
  it("refuses damage with a clear error", () => {
    const mut = (f: (b: Uint8Array) => void) => {
      const b = gz.slice();
      f(b);
      return b;
    };
    expect(() => gunzip(new Uint8Array(5), 1e6)).toThrow("gzip: 5 bytes is too short for a gzip member (at least 18)");
    expect(() =>
      gunzip(
        mut((b) => (b[0] = 0)),
        1e6,
      ),
    ).toThrow(/not gzip data/);
    expect(() =>
      gunzip(
        mut((b) => (b[2] = 7)),
        1e6,
      ),
    ).toThrow(/method 7 is not deflate/);
    expect(() =>
      gunzip(
        mut((b) => (b[3] = 0x80)),
        1e6,
      ),
    ).toThrow(/reserved header flag/);
    expect(() => gunzip(gz.subarray(0, gz.length - 20), 1e6)).toThrow(/truncated|trailer/);
    expect(() => gunzip(gz.subarray(0, gz.length - 4), 1e6)).toThrow(/trailer/);
    expect(() =>
      gunzip(
        mut((b) => (b[b.length - 8] ^= 1)),
        1e6,
      ),
    ).toThrow(/CRC32 does not match/);
    expect(() =>
      gunzip(
        mut((b) => (b[b.length - 1] ^= 1)),
        1e6,
      ),
    ).toThrow(/ISIZE does not match/);
    expect(() =>
      gunzip(
        mut((b) => b.fill(0xff, 20, 40)),
        1e6,
      ),
    ).toThrow(/damaged deflate stream|CRC32/);
    expect(() => gunzip(new Uint8Array([...gz, 1, 2, 3]), 1e6)).toThrow(/too short|trailing garbage/);
    expect(() => gunzip(new Uint8Array([...gz, ...new Uint8Array(20).fill(7)]), 1e6)).toThrow(
      /trailing garbage after member 1/,
    );
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });
});
