// The two helpers every message goes through: safeText (control characters escaped, long values
// cut with their length) and utf8ErrorOffset (where a config file stops being UTF-8), the latter
// against the platform's own strict decoder.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { safeText, safeLines } from "../../src/util/safe.ts";
import { utf8ErrorOffset } from "../../src/util/utf8.ts";

describe("safeText", () => {
  it("escapes C0, DEL, C1, line separators, bidi overrides and lone surrogates", () => {
    expect(safeText("a\x1b]0;t\x07\r\n\x00\x7f\x85b")).toBe("a\\x1b]0;t\\x07\\x0d\\x0a\\x00\\x7f\\x85b");
    expect(safeText("x\u2028y\u202ez\u2066")).toBe("x\\u2028y\\u202ez\\u2066");
    expect(safeText("\ud800 ok \udc00")).toBe("\\ud800 ok \\udc00");
    expect(safeText("café ✓ 😀")).toBe("café ✓ 😀");
  });
  it("cuts a long value and says how long it was", () => {
    expect(safeText("A".repeat(10_000), 10)).toBe("AAAAAAAAAA... (10,000 characters)");
    expect(safeText("A".repeat(10), 10)).toBe("AAAAAAAAAA");
  });
  it("never lets a control character through, whatever the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.integer({ min: 1, max: 400 }), (s, max) => {
        const out = safeText(s, max);
        expect(out).not.toMatch(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
        expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/); // no lone surrogate
      }),
      { seed: 28, numRuns: 500 },
    );
    expect(safeLines("one\ntwo\x1b")).toEqual(["one", "two\\x1b"]);
  });
});

describe("utf8ErrorOffset", () => {
  const strict = new TextDecoder("utf-8", { fatal: true });
  const valid = (b: Uint8Array) => {
    try {
      strict.decode(b);
      return true;
    } catch {
      return false;
    }
  };
  it("finds the first byte that is not UTF-8", () => {
    expect(utf8ErrorOffset(new TextEncoder().encode("café 😀"))).toBe(-1);
    expect(utf8ErrorOffset(Uint8Array.from([0x63, 0x61, 0x66, 0xe9]))).toBe(3); // Latin-1 é
    expect(utf8ErrorOffset(Uint8Array.from([0xc0, 0x80]))).toBe(0); // overlong NUL
    expect(utf8ErrorOffset(Uint8Array.from([0x41, 0xed, 0xa0, 0x80]))).toBe(1); // a surrogate
    expect(utf8ErrorOffset(Uint8Array.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // above U+10FFFF
  });
  it("agrees with the strict decoder, and the bytes before the offset decode", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ unit: "grapheme", maxLength: 20 }), (junk, text) => {
        const b = Uint8Array.from([...new TextEncoder().encode(text), ...junk]);
        const at = utf8ErrorOffset(b);
        expect(at === -1).toBe(valid(b));
        if (at >= 0) {
          expect(valid(b.subarray(0, at))).toBe(true);
          expect(valid(b.subarray(0, at + 4))).toBe(false);
        }
      }),
      { seed: 28, numRuns: 2000 },
    );
  });
});
