// pax numbers are read as GNU tar reads them: decimal digits only. GNU tar itself is the oracle:
// each archive here is listed by `tar -tvf` first, and looproot refuses exactly those GNU tar
// calls "Malformed extended header", where Number() would have taken 0x1, +1 or 1e0.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTar, TarError } from "../../src/fs/tar.ts";

function header(name: string, size: number, type: string): Uint8Array {
  const h = new Uint8Array(512);
  const put = (s: string, at: number) => h.set(Buffer.from(s, "latin1"), at);
  put(name, 0);
  put("0000644\0", 100);
  put("0000000\0", 108);
  put("0000000\0", 116);
  put(size.toString(8).padStart(11, "0") + "\0", 124);
  put("14707431720\0", 136);
  put("        ", 148);
  put(type, 156);
  put("ustar\0" + "00", 257);
  const sum = h.reduce((a, b) => a + b, 0);
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}
const pad = (b: Uint8Array) => Buffer.concat([b, new Uint8Array((512 - (b.length % 512)) % 512)]);

/** A pax archive of one file "f" holding "x", with one extra pax record. */
function paxTar(key: string, value: string): Uint8Array {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len++;
  const rec = Buffer.from(`${len}${body}`, "latin1");
  return Buffer.concat([
    header("PaxHeaders/f", rec.length, "x"),
    pad(rec),
    header("f", 1, "0"),
    pad(Buffer.from("x")),
    new Uint8Array(1024),
  ]);
}

describe("pax numbers as GNU tar reads them", () => {
  const dir = mkdtempSync(join(tmpdir(), "lr-pax-"));
  const gnu = (tar: Uint8Array) => {
    writeFileSync(join(dir, "t.tar"), tar);
    const r = spawnSync("tar", ["-tvf", join(dir, "t.tar")], { encoding: "utf8" });
    return { ok: r.status === 0 && !/Malformed|out of range/.test(r.stderr), stderr: r.stderr };
  };
  const cases: [string, string][] = [
    ["size", "1"],
    ["size", "0x1"],
    ["size", "+1"],
    ["size", " 1"],
    ["size", "1e0"],
    ["size", "1.0"],
    ["size", "-1"],
    ["uid", "0x10"],
    ["gid", "+5"],
    ["uid", "7"],
  ];
  for (const [k, v] of cases) {
    it(`${k}=${JSON.stringify(v)}`, () => {
      const tar = paxTar(k, v);
      const g = gnu(tar);
      let ours: unknown;
      try {
        parseTar(tar);
      } catch (e) {
        ours = e;
      }
      if (g.ok) expect(ours).toBeUndefined();
      else {
        expect(g.stderr).toMatch(/Malformed extended header|Extended header .* is out of range/);
        expect(ours).toBeInstanceOf(TarError);
        expect((ours as Error).message).toMatch(
          new RegExp(`${k}=.* is not a whole number in decimal digits \\(GNU tar: "Malformed extended header`),
        );
      }
    });
  }
  it("cleans up", () => rmSync(dir, { recursive: true, force: true }));
});
