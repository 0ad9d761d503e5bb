// Root tarballs as GNU tar writes them, read without losing anything: names that are not UTF-8
// keep their bytes into the ext2 image (read back by debugfs), sparse archives are refused clearly,
// a path given twice follows tar's rule (the later one wins), and a path too deep for Linux is
// refused at once instead of costing minutes.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { parseTar, writeTar } from "../../src/fs/tar.ts";
import { makeExt2 } from "../../src/fs/ext2/index.ts";
import {
  decodeNameBytes,
  nameBytes,
  normalisePath,
  isNormalisedPath,
  checkTree,
  PATH_MAX,
  type Tree,
} from "../../src/fs/tree.ts";
import { userRootTree, rootNeeds } from "../../src/howto/rootdev.ts";
import { defaultConfig, mergeConfig } from "../../src/config.ts";
import { LooprootError } from "../../src/errors.ts";
import { scratchDir } from "./ext2-read.ts";
import { UUID } from "./ext2-fixtures.ts";

const scratch = scratchDir("lr-tarnames-");
const B = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));

/** A tarball of a folder made by `build`, written by GNU tar. */
function gnuTar(build: (dir: string) => void, args: string[]): Uint8Array {
  const t = scratch.unique("tar", "");
  const dir = join(t, "root");
  fs.mkdirSync(dir, { recursive: true });
  build(dir);
  const out = join(t, "a.tar");
  // LC_ALL=C: GNU tar takes names as bytes, as a Latin-1 system's tar would.
  execFileSync(
    "tar",
    [...args, "--owner=0", "--group=0", "--numeric-owner", "--mtime=@896863620", "-cf", out, "-C", dir, "."],
    { env: { ...process.env, LC_ALL: "C" } },
  );
  return new Uint8Array(fs.readFileSync(out));
}

/** Names in one folder as bytes (hex), sorted. */
const namesIn = (dir: string) =>
  fs
    .readdirSync(dir, { encoding: "buffer" })
    .map((n) => n.toString("hex"))
    .sort();

describe("name bytes", () => {
  it("decodes losslessly: valid UTF-8 as text, every other byte to U+DC80+byte, and back", () => {
    expect(decodeNameBytes(B("caf", [0xc3, 0xa9]))).toBe("café");
    expect(decodeNameBytes(B("caf", [0xe9]))).toBe("caf\udce9");
    expect(decodeNameBytes(B([0xef, 0xbb, 0xbf], "x"))).toBe("\ufeffx"); // a BOM is a name's bytes too
    // Every byte string of up to 3 bytes from a set that mixes ASCII, lead, continuation and bad bytes.
    const alphabet = [0x41, 0x80, 0xbf, 0xc0, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xed, 0xa0, 0xf0, 0x9f, 0xf5, 0xff];
    const seen = new Map<string, string>();
    const walk = (prefix: number[]) => {
      const s = decodeNameBytes(Uint8Array.from(prefix));
      expect(Buffer.from(nameBytes(s)).toString("hex")).toBe(Buffer.from(prefix).toString("hex"));
      expect(seen.get(s), `${prefix} collides`).toBeUndefined();
      seen.set(s, Buffer.from(prefix).toString("hex"));
      if (prefix.length < 3) for (const b of alphabet) walk([...prefix, b]);
    };
    walk([]);
    expect(seen.size).toBe(1 + 15 + 225 + 3375);
  });

  it("one spelling per byte string: escapes that form UTF-8 are normalised, other lone surrogates refused", () => {
    expect(normalisePath("/caf\udcc3\udca9")).toBe("/café");
    expect(() => checkTree([{ path: "/caf\udcc3\udca9", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 0 }])).toThrow(
      /not absolute and normalised/,
    );
    expect(() => normalisePath("/a\ud800")).toThrow(/lone surrogate U\+D800/);
  });

  it("the one-scan check agrees with normalisePath on every path", () => {
    const part = fc.oneof(
      fc.constantFrom(
        "",
        ".",
        "..",
        "a",
        "é",
        "\udce9",
        "\udcc3\udca9",
        "\ud800",
        "a\0",
        "x".repeat(255),
        "é".repeat(128),
      ),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 6 }), fc.boolean(), (parts, lead) => {
        const p = (lead ? "/" : "") + parts.join("/");
        let n: string | null = null;
        try {
          n = normalisePath(p);
        } catch {
          // refused
        }
        expect(isNormalisedPath(p)).toBe(n === p);
      }),
      { seed: 94, numRuns: 3000 },
    );
    const deep = "/a".repeat(2047) + "/f"; // 4,096 bytes: one too many
    expect(isNormalisedPath(deep.slice(0, -2))).toBe(true);
    expect(isNormalisedPath(deep)).toBe(false);
  });

  for (const format of ["gnu", "posix", "ustar"]) {
    it(`keeps Latin-1 and UTF-8 names apart into the ext2 image (tar --format=${format}, read back by debugfs)`, () => {
      // Decoded lossily, caf\xe9 and the UTF-8 of U+FFFD were one name, and one file was lost.
      const names = [B("caf", [0xe9]), B("caf", [0xef, 0xbf, 0xbd]), B("caf", [0xc3, 0xa9]), B("na", [0xef], "ve.txt")];
      const dirName = B("d", [0xff, 0xfe]);
      const tar = gnuTar(
        (d) => {
          names.forEach((n, i) => fs.writeFileSync(Buffer.concat([Buffer.from(d + "/"), n]), `file ${i}\n`));
          fs.mkdirSync(Buffer.concat([Buffer.from(d + "/"), dirName]));
          fs.writeFileSync(Buffer.concat([Buffer.from(d + "/"), dirName, Buffer.from("/"), names[0]]), "deep\n");
          fs.symlinkSync(
            Buffer.concat([Buffer.from("../"), names[0]]),
            Buffer.concat([Buffer.from(d + "/"), dirName, Buffer.from("/l")]),
          );
        },
        ["--format=" + format],
      );
      const tree = parseTar(tar);
      expect(tree.filter((e) => e.kind === "file")).toHaveLength(5);

      const img = scratch.write(
        makeExt2(tree, {
          sizeBytes: 1 << 20,
          blockSize: 1024,
          bytesPerInode: 4096,
          reservedPercent: 5,
          uuid: UUID,
          time: 896863620,
        }),
      );
      execFileSync("e2fsck", ["-fn", img], { stdio: "pipe" });
      const out = scratch.unique("rdump", "");
      fs.mkdirSync(out);
      execFileSync("debugfs", ["-R", `rdump / ${out}`, img], { stdio: "pipe" });
      const rootDir = out; // rdump of / writes the root's entries straight into `out`
      expect(namesIn(rootDir)).toEqual(
        [...names, dirName, Buffer.from("lost+found")].map((n) => n.toString("hex")).sort(),
      );
      names.forEach((n, i) =>
        expect(fs.readFileSync(Buffer.concat([Buffer.from(rootDir + "/"), n]), "utf8")).toBe(`file ${i}\n`),
      );
      const sub = Buffer.concat([Buffer.from(rootDir + "/"), dirName]);
      expect(fs.readFileSync(Buffer.concat([sub, Buffer.from("/"), names[0]]), "utf8")).toBe("deep\n");
      expect(fs.readlinkSync(Buffer.concat([sub, Buffer.from("/l")]), { encoding: "buffer" }).toString("hex")).toBe(
        Buffer.concat([Buffer.from("../"), names[0]]).toString("hex"),
      );
      // And our own writer gives the same bytes back.
      expect(
        parseTar(writeTar(tree))
          .map((e) => Buffer.from(nameBytes(e.path)).toString("hex"))
          .sort(),
      ).toEqual(tree.map((e) => Buffer.from(nameBytes(e.path)).toString("hex")).sort());
    });
  }
});

describe("sparse archives, in every format GNU tar writes: holes read as zeros", () => {
  // 30 islands of data (some crossing 4 KiB blocks, so GNU tar's map has chunks of odd sizes), a
  // hole at the end, and a file of only a hole: the old 'S' format needs extension headers for this.
  const islands = Array.from({ length: 30 }, (_, i) => ({
    at: i * 150_000 + (i % 7) * 1001,
    data: Buffer.alloc(100 + i * 97, 65 + (i % 26)),
  }));
  const size = 30 * 150_000 + 12_345;
  const expected = Buffer.alloc(size);
  for (const x of islands) x.data.copy(expected, x.at);
  const sparse = (d: string) => {
    const fd = fs.openSync(join(d, "holes.img"), "w");
    for (const x of islands) fs.writeSync(fd, x.data, 0, x.data.length, x.at);
    fs.ftruncateSync(fd, size);
    fs.closeSync(fd);
    const e = fs.openSync(join(d, "empty.img"), "w");
    fs.ftruncateSync(e, 1 << 20);
    fs.closeSync(e);
    fs.writeFileSync(join(d, "plain"), "x");
  };
  for (const [label, args] of [
    ["pax 1.0", ["--format=posix", "--sparse"]],
    ["pax 0.1", ["--format=posix", "--sparse", "--sparse-version=0.1"]],
    ["pax 0.0", ["--format=posix", "--sparse", "--sparse-version=0.0"]],
    ["GNU 'S'", ["--format=gnu", "--sparse"]],
  ] as const) {
    it(label, () => {
      const tar = gnuTar(sparse, [...args]);
      // The archive is sparse indeed: far smaller than the file it holds.
      expect(tar.length).toBeLessThan(size / 10);
      const tree = parseTar(tar);
      // The real names, not the GNUSparseFile.N/ stand-ins, and nothing else.
      expect(tree.map((e) => e.path).sort()).toEqual(["/", "/empty.img", "/holes.img", "/plain"]);
      const holes = tree.find((e) => e.path === "/holes.img")!;
      expect(holes.data!.length).toBe(size);
      expect(Buffer.from(holes.data!).equals(expected)).toBe(true);
      expect(tree.find((e) => e.path === "/empty.img")!.data).toEqual(new Uint8Array(1 << 20));
      // GNU tar's own extraction agrees, and so does the image read back by debugfs.
      const img = scratch.write(
        makeExt2(tree, {
          sizeBytes: 16 << 20,
          blockSize: 1024,
          bytesPerInode: 4096,
          reservedPercent: 5,
          uuid: UUID,
          time: 0,
        }),
      );
      execFileSync("e2fsck", ["-fn", img], { stdio: "pipe" });
      const out = scratch.unique("sparse-dump", "");
      fs.mkdirSync(out);
      execFileSync("debugfs", ["-R", `dump /holes.img ${join(out, "h")}`, img], { stdio: "pipe" });
      expect(fs.readFileSync(join(out, "h")).equals(expected)).toBe(true);
    });
  }

  it("damaged sparse archives give our own errors only (mutated bytes, fixed seed)", () => {
    for (const args of [
      ["--format=posix", "--sparse"],
      ["--format=posix", "--sparse", "--sparse-version=0.0"],
      ["--format=gnu", "--sparse"],
    ]) {
      const tar = gnuTar(sparse, args);
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(tar.length - 1), fc.nat(255)), { minLength: 1, maxLength: 8 }),
          (edits) => {
            const t = tar.slice();
            for (const [i, v] of edits) t[i] = v;
            try {
              parseTar(t);
            } catch (e) {
              if (!(e instanceof LooprootError)) throw e;
            }
          },
        ),
        { seed: 95, numRuns: 300 },
      );
    }
  });

  it("a damaged sparse map is refused, naming the file", () => {
    const tar = Buffer.from(gnuTar(sparse, ["--format=posix", "--sparse", "--sparse-version=0.1"]));
    const at = tar.indexOf("GNU.sparse.map=");
    tar.write("9", at + "GNU.sparse.map=".length, "latin1"); // the first offset, now past the file's end or the next chunk
    const re = /\/(empty|holes)\.img: sparse map (has chunks out of order|has a chunk past|lists more data)/;
    expect(() => parseTar(new Uint8Array(tar))).toThrow(re);
  });
});

describe("a path given twice", () => {
  it("the later entry wins, as tar extraction does, in the position of the later one", () => {
    const t = scratch.unique("dup", "");
    fs.mkdirSync(join(t, "r"), { recursive: true });
    fs.writeFileSync(join(t, "r", "f"), "first");
    fs.writeFileSync(join(t, "r", "g"), "g");
    execFileSync("tar", ["--format=gnu", "-cf", join(t, "a.tar"), "-C", join(t, "r"), "f", "g"]);
    fs.writeFileSync(join(t, "r", "f"), "second, longer");
    execFileSync("tar", ["--format=gnu", "-rf", join(t, "a.tar"), "-C", join(t, "r"), "f"]);
    expect(execFileSync("tar", ["-tf", join(t, "a.tar")], { encoding: "utf8" })).toBe("f\ng\nf\n");
    const tree = parseTar(new Uint8Array(fs.readFileSync(join(t, "a.tar"))));
    expect(tree.map((e) => e.path)).toEqual(["/", "/g", "/f"]);
    expect(new TextDecoder().decode(tree.find((e) => e.path === "/f")!.data)).toBe("second, longer");
    // GNU tar itself agrees.
    fs.mkdirSync(join(t, "x"));
    execFileSync("tar", ["-xf", join(t, "a.tar"), "-C", join(t, "x")]);
    expect(fs.readFileSync(join(t, "x", "f"), "utf8")).toBe("second, longer");
  });

  it("a file that an earlier hard link points at cannot be replaced silently", () => {
    const e = (path: string, more: object) =>
      ({ path, mode: 0o644, uid: 0, gid: 0, mtime: 0, ...more }) as Tree[number];
    const tar = writeTar([
      e("/", { kind: "dir", mode: 0o755 }),
      e("/a", { kind: "file", data: Uint8Array.of(1) }),
      e("/b", { kind: "hardlink", target: "/a" }),
      e("/a", { kind: "file", data: Uint8Array.of(2) }),
    ]);
    expect(() => parseTar(tar)).toThrow(/\/a appears twice, and \/b is a hard link to the first one/);
  });
});

describe("depth", () => {
  const chain = (depth: number) => "/" + Array(depth).fill("a").join("/") + "/f";
  const deepTar = (depth: number) =>
    writeTar([{ path: chain(depth), kind: "file", mode: 0o644, uid: 0, gid: 0, mtime: 0, data: Uint8Array.of(1) }]);

  it("the 12,000-deep tarball of the issue is refused at once, naming PATH_MAX", () => {
    const gz = gzipSync(deepTar(12_000), { level: 9 });
    expect(gz.length).toBeLessThan(400); // a tiny file, as in the report (219 bytes there)
    const t0 = performance.now();
    expect(() => parseTar(new Uint8Array(execFileSync("gzip", ["-dc"], { input: gz })))).toThrow(
      /24,002 bytes \(12,001 levels deep\); Linux opens paths of at most 4,095 bytes \(PATH_MAX 4096\)/,
    );
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(2000);
  });

  it("the deepest path Linux can open builds, fsck-clean, in well under a few seconds", () => {
    const depth = Math.floor((PATH_MAX - 1 - 2) / 2); // "/a" * 2,046 + "/f": 4,094 bytes; one more level is 4,096
    const t0 = performance.now();
    const tree = parseTar(deepTar(depth));
    expect(tree).toHaveLength(depth + 2);
    const img = scratch.write(
      makeExt2(tree, {
        sizeBytes: 8 << 20,
        blockSize: 1024,
        bytesPerInode: 2048,
        reservedPercent: 5,
        uuid: UUID,
        time: 0,
      }),
    );
    const ms = performance.now() - t0;
    execFileSync("e2fsck", ["-fn", img], { stdio: "pipe" });
    expect(ms).toBeLessThan(5000);
    expect(() => parseTar(deepTar(depth + 1))).toThrow(/PATH_MAX/);
  });

  it("the tree steps do work linear in the archive, counted: characters split and encoded", () => {
    // A chain d deep implies d directories whose paths add up to about d^2 characters; steps that
    // re-split or re-encode every path (as checkTree once did, per entry and in its sort) do work of
    // that order, d^2 and more. Counted on the string primitives, not timed.
    const count = (depth: number) => {
      const e = (path: string, kind: "file", data = Uint8Array.of(1)) => ({
        path,
        kind,
        mode: 0o755,
        uid: 0,
        gid: 0,
        mtime: 0,
        data,
      });
      // An i386 ELF header for the shell and a #! init: the build checks the kernel could start them.
      const elf = new Uint8Array(52);
      elf.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
      elf[18] = 3;
      const tar = writeTar([
        e("/bin/sh", "file", elf),
        e("/sbin/init", "file", new TextEncoder().encode("#!/bin/sh\n")),
        e(chain(depth), "file"),
      ]);
      let chars = 0;
      const realSplit = String.prototype.split;
      const realEncode = TextEncoder.prototype.encode;
      vi.spyOn(String.prototype, "split").mockImplementation(function (this: string, ...args: unknown[]) {
        chars += this.length;
        return (realSplit as (...a: unknown[]) => string[]).apply(this, args);
      } as never);
      vi.spyOn(TextEncoder.prototype, "encode").mockImplementation(function (this: TextEncoder, input?: string) {
        chars += input?.length ?? 0;
        return realEncode.call(this, input);
      });
      try {
        const c = mergeConfig(defaultConfig(), { root: { source: "tar" } });
        const tree = userRootTree(c, parseTar(tar), Uint8Array.of(1));
        rootNeeds(c, tree);
      } finally {
        vi.restoreAllMocks();
      }
      return { chars, tar: tar.length };
    };
    const small = count(500),
      big = count(2000);
    // Linear: 4 times the depth, about 4 times the work, and a small multiple of the archive.
    expect(big.chars / small.chars).toBeLessThan(6);
    expect(big.chars).toBeLessThan(20 * big.tar);
  });
});

describe("pax numbers", () => {
  it("a pax mtime that is not a number is refused, not turned into NaN", () => {
    const t = scratch.unique("pax", "");
    fs.mkdirSync(join(t, "r"), { recursive: true });
    fs.writeFileSync(join(t, "r", "f"), "x");
    // GNU tar writes the record given with --pax-option; a damaged one is what a hostile archive holds.
    execFileSync("tar", [
      "--format=posix",
      "--pax-option=mtime:=soon",
      "-cf",
      join(t, "a.tar"),
      "-C",
      join(t, "r"),
      "f",
    ]);
    expect(() => parseTar(new Uint8Array(fs.readFileSync(join(t, "a.tar"))))).toThrow(
      /f: pax mtime "soon" is not a number/,
    );
  });
});
