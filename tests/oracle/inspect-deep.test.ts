// `looproot inspect` stays bounded on valid but extreme images: an ext2 whose directories nest
// 30,000 deep (made by mke2fs and debugfs, e2fsck -fn clean) lists in seconds with bounded output
// and says how many entries it left out; names from an image reach the terminal escaped.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { main } from "../../src/cli/main.ts";
import { makeExt2 } from "../../src/fs/index.ts";
import { scratchBase } from "./ext2-read.ts";

let dir = "";
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(scratchBase(), "inspect-deep-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]) {
  const out: string[] = [],
    err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const DEPTH = 30_000;

describe("inspect on extreme but valid images", () => {
  it(`an ext2 nested ${DEPTH.toLocaleString("en-US")} directories deep: seconds, bounded output, the rest counted`, async () => {
    const img = path.join(dir, "deep.img");
    execFileSync("mke2fs", ["-q", "-F", "-t", "ext2", "-b", "1024", "-N", "32768", img, "64M"]);
    // mke2fs -d cannot copy a tree this deep (it aborts), debugfs builds it one level at a time.
    fs.writeFileSync(path.join(dir, "script"), "mkdir d\ncd d\n".repeat(DEPTH) + "write /dev/null leaf\n");
    execFileSync("debugfs", ["-w", "-f", path.join(dir, "script"), img], { stdio: "ignore" });
    const fsck = spawnSync("e2fsck", ["-fn", img], { encoding: "utf8" });
    expect(fsck.status, fsck.stdout).toBe(0);
    expect(fsck.stdout).toMatch(/30,?01\d\/32,?768 files|3001\d\/32768 files/);

    const t0 = Date.now();
    const r = await cli(["inspect", img]);
    const ms = Date.now() - t0;
    expect(r.code, r.err).toBe(0);
    expect(ms).toBeLessThan(30_000); // about 2 s here; the old listing ran 58 s and died
    // Paths up to PATH_MAX are listed (2,048 levels of "/d"), the rest counted, not printed.
    const listed = r.out.split("\n").filter((l) => / \/d(\/d)*$/.test(l));
    expect(listed.length).toBe(2048);
    const more = /\.\.\. and ([\d,]+) more not listed \(paths longer than 4,096 characters/.exec(r.out);
    expect(more).not.toBeNull();
    expect(Number(more![1].replace(/,/g, "")) + listed.length).toBe(DEPTH + 1); // every directory and the leaf
    expect(r.out.length).toBeLessThan(8_000_000);

    const j = await cli(["inspect", img, "--json"]);
    expect(j.code, j.err).toBe(0);
    const x = JSON.parse(j.out);
    expect(x.omitted + x.tree.length).toBe(DEPTH + 3); // / and lost+found too
  }, 120_000);

  it("names from the image are shown with control characters escaped", async () => {
    const img = path.join(dir, "names.img");
    const t = 1_000_000_000;
    fs.writeFileSync(
      img,
      makeExt2({
        sizeBytes: 1 << 20,
        tree: [
          { path: "/", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: t },
          {
            path: "/\x1b]0;owned\x07\x1b[2J",
            kind: "file",
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtime: t,
            data: new Uint8Array(3),
          },
          { path: "/link", kind: "symlink", mode: 0o777, uid: 0, gid: 0, mtime: t, target: "x\ry\nlooproot: forged" },
        ],
      } as Parameters<typeof makeExt2>[0]),
    );
    const r = await cli(["inspect", img]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(r.out).toContain("/\\x1b]0;owned\\x07\\x1b[2J");
    expect(r.out).toContain("/link -> x\\x0dy\\x0alooproot: forged");
  });
});
