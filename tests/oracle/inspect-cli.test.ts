// `looproot inspect` on the default build's images: each recognised by content, its map's numbers
// equal to sfdisk, fsck.fat, mshowfat and dumpe2fs, its files equal to what the build put there;
// bad images exit 2 with a clear message.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import * as os from "node:os";
import { main } from "../../src/cli/main.ts";
import { buildImages, type BuildResult } from "../../src/build.ts";
import { defaultConfig } from "../../src/config.ts";
import { loadIngredients } from "../../src/node/ingredients.ts";
import { checkTree, type Tree } from "../../src/fs/tree.ts";
import { scratchBase } from "./ext2-read.ts";

let dir = "";
let built: BuildResult;
const file = (n: string) => path.join(dir, n);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(scratchBase(), "inspect-cli-"));
  built = buildImages({ config: defaultConfig(), ingredients: loadIngredients() });
  for (const f of built.files) fs.writeFileSync(file(f.name), f.data);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]) {
  const out: string[] = [],
    err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function json(name: string) {
  const r = await cli(["inspect", file(name), "--json"]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
type JsonEntry = {
  path: string;
  kind: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  target?: string;
  major?: number;
  minor?: number;
  sha256?: string;
};

/** The built tree in the JSON's form: contents as hashes, /lost+found as the writer adds it. */
function expectTreeIs(jsonTree: JsonEntry[], tree: Tree) {
  const want = checkTree(tree).map(({ data, ...e }) => (data ? { ...e, sha256: sha(data) } : e));
  const got = jsonTree
    .filter((e) => e.path !== "/lost+found")
    .map(({ size: _s, ...e }: JsonEntry & { size?: number }) => e);
  expect(got).toEqual(want);
}

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "latin1", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });
}

describe("looproot inspect on the default build", () => {
  it("floppy.img: FAT12 as fsck.fat -v sees it, each file's clusters as mshowfat, contents as built", async () => {
    const j = await json("floppy.img");
    expect(j.kind).toBe("fat");
    const fsck = sh("fsck.fat", ["-v", "-n", file("floppy.img")]);
    expect(j.fat.volume.clusters).toBe(+/(\d+) data clusters/.exec(fsck)![1]);
    expect(j.fat.volume.fatSectors * 512).toBe(+/(\d+) bytes per FAT/.exec(fsck)![1]);
    expect(j.fat.regions.find((r: { kind: string }) => r.kind === "data").start).toBe(
      +/Data area starts at byte (\d+)/.exec(fsck)![1],
    );
    for (const f of j.fat.files) {
      const runs = [
        ...sh("mshowfat", ["-i", file("floppy.img"), `::/${f.path.replace(/\\/g, "/")}`]).matchAll(
          /<(\d+)(?:-(\d+))?>/g,
        ),
      ].map((m) => [+m[1], (m[2] ? +m[2] : +m[1]) - +m[1] + 1]);
      expect([f.path, f.runs]).toEqual([f.path, runs]);
    }
    // What each file holds, told from its bytes, and the HOWTO step that made it.
    const content = Object.fromEntries(
      j.fat.files
        .filter((f: { content?: unknown }) => f.content)
        .map((f: { path: string; content: unknown }) => [f.path, f.content]),
    );
    expect(content).toEqual({
      ZIMAGE: { kind: "kernel", step: "3.2" },
      "INITRDGZ.IMG": { kind: "initrd-gz", step: "3.3" },
    });
    const byName = new Map(j.files.map((f: { path: string; sha256: string }) => [f.path, f.sha256]));
    expect(byName.get("INITRDGZ.IMG")).toBe(sha(built.initrdGz));
    expect(byName.get("AUTOEXEC.BAT")).toBe(sha(new TextEncoder().encode(built.texts.autoexecBat)));
    const t = await cli(["inspect", file("floppy.img")]);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^ {2}--shr +[\d,]+ .* LRDOS\.SYS  \[clusters 2-\d+\]$/m);
    expect(t.out).toMatch(/3\.7 +ZIMAGE  clusters \d+-\d+/);
  });

  it("disk.img: the partition as sfdisk --json, C:'s files with their runs, the root image found and read", async () => {
    const j = await json("disk.img");
    expect(j.kind).toBe("disk");
    const sf = JSON.parse(sh("sfdisk", ["--json", file("disk.img")])).partitiontable;
    expect(
      j.disk.partitions.map((p: { start: number; sectors: number; type: number }) => [
        p.start,
        p.sectors,
        p.type.toString(16),
      ]),
    ).toEqual(sf.partitions.map((p: { start: number; size: number; type: string }) => [p.start, p.size, p.type]));
    const names = j.files.map((f: { path: string }) => f.path);
    expect(names).toEqual(["LINUX", "LINUX\\LINUXDSK.IMG", "LINUX\\LINUXSWP.IMG"]);
    expect(j.files[1].sha256).toBe(sha(built.root));
    expect(j.files[2].sha256).toBe(sha(built.swap));
    expect(j.root.path).toBe("LINUX\\LINUXDSK.IMG");
    expectTreeIs(j.root.tree, built.rootTree);
    // The root image's map sits inside the file's clusters on the disk.
    expect(j.disk.fat.files.map((f: { content?: unknown }) => f.content)).toEqual([
      undefined,
      { kind: "ext2", step: "3.4" },
      { kind: "swap", step: "3.5" },
    ]);
    const run = j.disk.fat.files[1].runs;
    expect(run.length).toBe(1);
    type R = { name: string; kind: string; start: number; children?: R[] };
    const data: R = j.disk.regions[2].children.find((r: R) => r.kind === "data");
    const fileStart = data.children!.find((r) => r.name === "LINUX\\LINUXDSK.IMG")!.start;
    expect(j.root.regions[0].start).toBe(fileStart);
    const t = await cli(["inspect", file("disk.img")]);
    expect(t.out).toMatch(/^ {2}part1 +\* +63 /m);
    expect(t.out).toMatch(/Root image C:\\LINUX\\LINUXDSK\.IMG: ext2/);
  });

  it("linuxdsk.img: the groups as dumpe2fs prints them, the tree as built", async () => {
    const j = await json("linuxdsk.img");
    expect(j.kind).toBe("ext2");
    const d = sh("dumpe2fs", [file("linuxdsk.img")]);
    const groups = [...d.matchAll(/^Group (\d+): \(Blocks (\d+)-(\d+)\)[^]*?Inode table at (\d+)-(\d+)/gm)].map((m) => [
      +m[2],
      +m[3],
      +m[4],
      +m[5],
    ]);
    expect(
      j.layout.groups.map(
        (g: { firstBlock: number; lastBlock: number; inodeTable: number; inodeTableBlocks: number }) => [
          g.firstBlock,
          g.lastBlock,
          g.inodeTable,
          g.inodeTable + g.inodeTableBlocks - 1,
        ],
      ),
    ).toEqual(groups);
    expect(j.layout.freeBlocks).toBe(+/^Free blocks: +(\d+)/m.exec(d)![1]);
    expectTreeIs(j.tree, built.rootTree);
    expect(j.regions.every((r: { step: string }) => r.step === "3.4")).toBe(true);
  });

  it("initrdgz.img: recognised as a gzip'd ext2 initrd, the tree as built, step 3.3", async () => {
    const j = await json("initrdgz.img");
    expect(j.kind).toBe("initrd-gz");
    expect(j.unpackedSize).toBe(built.initrd.length);
    expectTreeIs(j.tree, built.initrdTree);
    expect(j.regions.every((r: { step: string }) => r.step === "3.3")).toBe(true);
    const t = await cli(["inspect", file("initrdgz.img")]);
    expect(t.out).toMatch(/^ +\d+ -rwxr-xr-x +1 +0 +0 +[\d,]+ .*  \/linuxrc$/m);
  });

  it("bad images and bad arguments exit 2 with a clear message", async () => {
    fs.writeFileSync(file("zeros.img"), new Uint8Array(8192));
    const z = await cli(["inspect", file("zeros.img")]);
    expect([z.code, z.err]).toEqual([
      2,
      `looproot: not a looproot image: 8,192 bytes that are neither an MBR disk, a FAT volume, an ext2 filesystem, a gzip'd initrd nor swap space`,
    ]);
    fs.writeFileSync(file("short.img"), built.root.subarray(0, 1 << 20));
    const s = await cli(["inspect", file("short.img")]);
    expect(s.code).toBe(2);
    expect(s.err).toMatch(
      /^looproot: ext2 image: s_blocks_count: 24,576 blocks of 1,024 bytes is more than the image's 1,048,576 bytes \(truncated image\?\)$/,
    );
    const gz = built.initrdGz.slice();
    gz[gz.length - 6] ^= 0xff;
    fs.writeFileSync(file("badgz.img"), gz);
    const g = await cli(["inspect", file("badgz.img")]);
    expect([g.code, g.err]).toEqual([2, "looproot: gzip: CRC32 does not match the data (member 1)"]);
    expect((await cli(["inspect", file("nope.img")])).err).toBe(`looproot: ${file("nope.img")}: no such file`);
    expect((await cli(["inspect"])).code).toBe(2);
    // Refused from its size, before reading (a sparse file: nothing is written).
    fs.closeSync(fs.openSync(file("huge.img"), "w"));
    fs.truncateSync(file("huge.img"), 3 * 1024 ** 3);
    const h = await cli(["inspect", file("huge.img")]);
    expect([h.code, h.err]).toEqual([
      2,
      `looproot: ${file("huge.img")}: is 3,221,225,472 bytes, more than the limit of 2,147,483,647`,
    ]);
    // Every read error is exit 2 with the path and the reason, never a stack.
    fs.writeFileSync(file("plain.img"), "x");
    expect(await cli(["inspect", path.join(file("plain.img"), "x")])).toMatchObject({
      code: 2,
      err: `looproot: ${path.join(file("plain.img"), "x")}: a part of the path is not a folder`,
    });
    const long = path.join(dir, "n".repeat(300));
    expect(await cli(["inspect", long])).toMatchObject({
      code: 2,
      err: `looproot: ${long}: cannot be read (ENAMETOOLONG)`,
    });
    fs.symlinkSync("loop", file("loop"));
    expect(await cli(["inspect", file("loop")])).toMatchObject({
      code: 2,
      err: `looproot: ${file("loop")}: too many symbolic links`,
    });
    // EACCES: root reads anything, so the CLI runs as nobody on a file of mode 000.
    if (process.getuid?.() === 0) {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), "inspect-eacces-"));
      try {
        fs.chmodSync(d, 0o755);
        fs.writeFileSync(path.join(d, "secret.img"), "x", { mode: 0 });
        const r = spawnSync(
          "setpriv",
          [
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            process.execPath,
            "bin/looproot.mjs",
            "inspect",
            path.join(d, "secret.img"),
          ],
          { encoding: "utf8", timeout: 60_000 },
        );
        expect([r.status, r.stderr]).toEqual([
          2,
          `looproot: ${path.join(d, "secret.img")}: no permission to read it\n`,
        ]);
      } finally {
        fs.rmSync(d, { recursive: true, force: true });
      }
    }
    expect((await cli(["inspect", dir])).err).toMatch(/is a folder, not a file/);
    expect((await cli(["inspect", "a", "b"])).err).toBe(
      "looproot: inspect: unexpected argument b (one IMAGE at a time)",
    );
    expect((await cli(["--help"])).out).toMatch(/looproot inspect IMAGE \[--json\]/);
  });
});
