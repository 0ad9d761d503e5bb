import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync, symlinkSync, linkSync, readFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTar, writeTar, TarError } from "../../src/fs/tar.ts";
import type { Tree } from "../../src/fs/tree.ts";

function gnuTar(build: (dir: string) => void, format = "gnu"): Uint8Array {
  const t = mkdtempSync(join(tmpdir(), "lr-tar-"));
  const dir = join(t, "root");
  mkdirSync(dir);
  build(dir);
  const out = join(t, "a.tar");
  execFileSync("tar", [
    "--format=" + format,
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    "--mtime=@896863620",
    "-cf",
    out,
    "-C",
    dir,
    ".",
  ]);
  return new Uint8Array(readFileSync(out));
}

const byPath = (tree: Tree) => new Map(tree.map((e) => [e.path, e]));

describe("parseTar against GNU tar's archives", () => {
  for (const format of ["gnu", "posix", "ustar"]) {
    it(`reads files, dirs, symlinks, hard links and modes (${format})`, () => {
      const long = "d".repeat(60) + "/" + "e".repeat(60);
      const tar = gnuTar((d) => {
        mkdirSync(join(d, "bin"));
        writeFileSync(join(d, "bin", "busybox"), Buffer.alloc(5000, 7));
        chmodSync(join(d, "bin", "busybox"), 0o4755);
        symlinkSync("busybox", join(d, "bin", "sh"));
        linkSync(join(d, "bin", "busybox"), join(d, "bin", "mount"));
        if (format !== "ustar") {
          mkdirSync(join(d, long), { recursive: true });
          writeFileSync(join(d, long, "f".repeat(90)), "deep");
        }
        writeFileSync(join(d, "empty"), "");
      }, format);
      const tree = byPath(parseTar(tar));
      expect(tree.get("/bin/busybox")!.data!.length).toBe(5000);
      expect(tree.get("/bin/busybox")!.mode).toBe(0o4755);
      expect(tree.get("/bin/sh")).toMatchObject({ kind: "symlink", target: "busybox" });
      const hl = [tree.get("/bin/mount")!, tree.get("/bin/busybox")!].find((e) => e.kind === "hardlink")!;
      expect(hl.target === "/bin/busybox" || hl.target === "/bin/mount").toBe(true);
      expect(tree.get("/empty")!.data!.length).toBe(0);
      expect(tree.get("/bin")!.mtime).toBe(896863620);
      if (format !== "ustar")
        expect(new TextDecoder().decode(tree.get("/" + long + "/" + "f".repeat(90))!.data!)).toBe("deep");
    });
  }

  it("round-trips writeTar through GNU tar", () => {
    const tree: Tree = [
      { path: "/", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 1 },
      { path: "/dev", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 1 },
      { path: "/dev/sda1", kind: "blockdev", mode: 0o644, uid: 0, gid: 0, mtime: 1, major: 8, minor: 1 },
      { path: "/f", kind: "file", mode: 0o600, uid: 1000, gid: 100, mtime: 12345, data: new Uint8Array([1, 2, 3]) },
      { path: "/" + "x".repeat(150), kind: "file", mode: 0o644, uid: 0, gid: 0, mtime: 1, data: new Uint8Array(700) },
      { path: "/l", kind: "symlink", mode: 0o777, uid: 0, gid: 0, mtime: 1, target: "/" + "y".repeat(120) },
    ];
    const t = mkdtempSync(join(tmpdir(), "lr-tar-"));
    writeFileSync(join(t, "a.tar"), writeTar(tree));
    const listing = execFileSync("tar", ["-tvf", join(t, "a.tar")]).toString();
    expect(listing).toContain("8,1");
    expect(listing).toContain("x".repeat(150));
    expect(listing).toContain("y".repeat(120));
    const back = byPath(parseTar(writeTar(tree)));
    expect(back.get("/f")).toMatchObject({ uid: 1000, gid: 100, mtime: 12345, mode: 0o600 });
    expect(back.get("/dev/sda1")).toMatchObject({ kind: "blockdev", major: 8, minor: 1 });
    expect(back.get("/l")!.target).toBe("/" + "y".repeat(120));
  });
});

describe("parseTar refuses damaged and hostile archives", () => {
  const one = (e: Partial<Tree[number]> & { path: string }) =>
    writeTar([{ kind: "file", mode: 0o644, uid: 0, gid: 0, mtime: 0, data: new Uint8Array(10), ...e } as Tree[number]]);
  const patchName = (tar: Uint8Array, name: string) => {
    const h = tar.slice();
    h.fill(0, 0, 100);
    h.set(new TextEncoder().encode(name), 0);
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += h[i];
    h.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
    return h;
  };
  it("path escapes", () => {
    expect(() => parseTar(patchName(one({ path: "/a" }), "../../etc/passwd"))).toThrow(/leaves the root/);
    expect(() => parseTar(patchName(one({ path: "/a" }), "a/../../b"))).toThrow(/leaves the root/);
  });
  it("absolute names are taken relative to the tree", () => {
    expect(parseTar(patchName(one({ path: "/a" }), "/etc/x")).map((e) => e.path)).toContain("/etc/x");
  });
  it("symlinks that climb out, hard links to nowhere", () => {
    expect(() => parseTar(one({ path: "/a/b", kind: "symlink", target: "../../../x" } as never))).toThrow(
      /outside the tree/,
    );
    expect(() => parseTar(one({ path: "/a", kind: "hardlink", target: "/missing" } as never))).toThrow(
      /not an earlier regular file/,
    );
  });
  it("bad checksum, truncation, garbage", () => {
    const t = one({ path: "/a" });
    const bad = t.slice();
    bad[0] ^= 1;
    expect(() => parseTar(bad)).toThrow(/bad checksum/);
    expect(() => parseTar(t.subarray(0, 515))).toThrow(/truncated/);
    expect(() => parseTar(t.subarray(0, 1100))).toThrow(/ends in the middle of a header/);
    expect(() => parseTar(new Uint8Array(1000).fill(65))).toThrow(TarError);
    expect(() => parseTar(new Uint8Array(1024))).toThrow(/empty/);
  });
  it("size and entry limits", () => {
    const big = one({ path: "/a", data: new Uint8Array(5000) });
    expect(() => parseTar(big, { maxTotalBytes: 4000, maxEntries: 100 })).toThrow(/more than the limit of 4,000 bytes/);
    const many = writeTar(
      Array.from({ length: 20 }, (_, i) => ({
        path: `/f${i}`,
        kind: "file",
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: 0,
        data: new Uint8Array(1),
      })) as Tree,
    );
    expect(() => parseTar(many, { maxTotalBytes: 1e9, maxEntries: 10 })).toThrow(/more than 10 entries/);
  });
  it("a size field larger than the archive is an error, not an allocation", () => {
    const t = one({ path: "/a" });
    const h = t.slice();
    h.set(new TextEncoder().encode("77777777777\0"), 124);
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += h[i];
    h.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
    expect(() => parseTar(h)).toThrow(/truncated|limit/);
  });
});
