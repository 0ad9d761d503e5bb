// Mutating images for the fuzzed-reader tests: a seeded generator, a few changes per copy aimed at
// the metadata, and a loop that runs inspect() on each copy and sorts the outcomes.

import { it, expect } from "vitest";
import { inspect } from "../../src/fs/views/maps.ts";
import { LooprootError } from "../../src/errors.ts";

export function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const INTERESTING = [
  0, 1, 2, 3, 7, 11, 12, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 1024, 4096, 8192, 65535,
];

/** One mutated copy: a few changes, mostly inside `hot` ranges [start, end). */
export function mutate(src: Uint8Array, hot: [number, number][], r: () => number): Uint8Array {
  const m = src.slice();
  const n = 1 + Math.floor(r() * 6);
  const pos = () => {
    if (r() < 0.85) {
      const [s, e] = hot[Math.floor(r() * hot.length)];
      return s + Math.floor(r() * (e - s));
    }
    return Math.floor(r() * m.length);
  };
  for (let i = 0; i < n; i++) {
    const p = pos();
    const op = r();
    if (op < 0.3) m[p] = Math.floor(r() * 256);
    else if (op < 0.5) m[p] ^= 1 << Math.floor(r() * 8);
    else if (op < 0.85) {
      const v = INTERESTING[Math.floor(r() * INTERESTING.length)];
      const a = p & ~3;
      if (a + 4 <= m.length) new DataView(m.buffer).setUint32(a, v >>> 0, true);
    } else {
      // Copy 4..64 bytes from elsewhere in the hot ranges: duplicated pointers and entries make loops and cross-links.
      const q = pos(),
        len = 4 + Math.floor(r() * 60);
      if (q + len <= m.length && p + len <= m.length) m.copyWithin(p, q, q + len);
    }
  }
  return m;
}

export function fuzz(name: string, src: Uint8Array, hot: [number, number][], count: number, seed: number) {
  it(`${name}: ${count} mutations end in a result or a LooprootError, each quickly`, () => {
    const r = rng(seed);
    const foreign: string[] = [];
    let ok = 0,
      refused = 0,
      slowest = 0;
    for (let i = 0; i < count; i++) {
      const m = mutate(src, hot, r);
      const t0 = performance.now();
      try {
        inspect(m);
        ok++;
      } catch (e) {
        if (e instanceof LooprootError && e.isUserError) refused++;
        else foreign.push(`#${i}: ${(e as Error)?.stack?.split("\n").slice(0, 3).join(" | ") ?? String(e)}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    console.log(`${name}: ${ok} read, ${refused} refused, slowest ${slowest.toFixed(1)} ms`);
    expect(foreign.slice(0, 5)).toEqual([]);
    expect(ok + refused).toBe(count);
    // Both outcomes happen: the mutations reach the checks and also leave readable images.
    expect(ok).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(2000);
  }, 300_000);
}
