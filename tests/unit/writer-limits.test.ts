// Issue 9.7: every problem a writer would find is refused up front with its field (config fields by
// validateConfig, tree rules by planBuild at root.source), never a stack trace or a broken boot.
import { describe, it, expect } from "vitest";
import { defaultConfig, mergeConfig, type LooprootConfig } from "../../src/config.ts";
import { validateConfig, ConfigError } from "../../src/validate.ts";
import { planBuild, buildImages } from "../../src/build.ts";
import { ErrorCode } from "../../src/errors.ts";
import { writeTar } from "../../src/fs/tar.ts";
import { loadIngredients } from "../../src/node/ingredients.ts";
import type { Tree, TreeEntry } from "../../src/fs/tree.ts";
import { thrownLooproot } from "./thrown.ts";

const ingredients = loadIngredients();
const cfg = (partial: unknown): LooprootConfig => mergeConfig(defaultConfig(), partial);
const fieldsOf = (partial: unknown) => validateConfig(cfg(partial)).map((p) => p.field);

describe("config problems the writers would find are refused by validation, at their field", () => {
  const cases: [string, unknown, string][] = [
    ["an empty disk label", { disk: { label: "" } }, "disk.label"],
    ["an empty floppy label", { floppy: { label: "" } }, "floppy.label"],
    ["a space-led volume label", { floppy: { label: " AB" } }, "floppy.label"],
    ["the kernel named like LOADLIN", { boot: { kernelPath: "\\loadlin.exe" } }, "boot.kernelPath"],
    ["the kernel named like the initrd", { boot: { kernelPath: "\\initrdgz.img" } }, "boot.initrdPath"],
    ["the kernel named like a system file", { boot: { kernelPath: "\\COMMAND.COM" } }, "boot.kernelPath"],
    ["the kernel named like LRDOS.SYS", { boot: { kernelPath: "\\lrdos.sys" } }, "boot.kernelPath"],
    ["the kernel named AUTOEXEC.BAT", { boot: { kernelPath: "\\autoexec.bat" } }, "boot.kernelPath"],
    [
      "the kernel named like the params file",
      { boot: { kernelPath: "\\LOADLIN.PAR", paramsFile: true } },
      "boot.kernelPath",
    ],
    ["root and swap equal after DOS normalisation", { dos: { rootFile: "LINUX.", swapFile: "linux" } }, "dos.swapFile"],
    [
      "directory plus file name over 63 characters",
      { dos: { directory: "AAAAAAAA\\BBBBBBBB\\CCCCCCCC\\DDDDDDDD\\EEEEEEEE\\FFFFFFFF" } },
      "dos.rootFile",
    ],
    ["a backslash in the root file name", { dos: { rootFile: "A\\B.IMG" } }, "dos.rootFile"],
    ["a slash in the swap file name", { dos: { swapFile: "A/B.IMG" } }, "dos.swapFile"],
    ["a backslash in the kernel's floppy name", { boot: { kernelPath: "\\K\\ZIMAGE" } }, "boot.kernelPath"],
    ["a NUL in the swap label", { swap: { label: "a\u0000b" } }, "swap.label"],
    ["a control character in the root label", { root: { label: "a\u0001b" } }, "root.label"],
    [
      "a params-file option LOADLIN cannot read",
      { boot: { paramsFile: true, extraArgs: "x=" + "a".repeat(80) } },
      "boot.extraArgs",
    ],
    ["a time before DOS's 1980", { time: 300000000 }, "time"],
  ];
  for (const [name, partial, field] of cases) {
    it(name, () => {
      expect(fieldsOf(partial)).toContain(field);
      const e = thrownLooproot(() => buildImages({ config: cfg(partial), ingredients }));
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.code).toBe(ErrorCode.Config);
      expect(e.problems.map((p) => p.field)).toContain(field);
    });
  }
  it("the limits come with the problem", () => {
    const [p] = validateConfig(
      cfg({ dos: { directory: "AAAAAAAA\\BBBBBBBB\\CCCCCCCC\\DDDDDDDD\\EEEEEEEE\\FFFFFFFF" } }),
    );
    expect(p.limit).toBe(63);
  });
  it("the boundary values still build", () => {
    for (const partial of [
      { dos: { directory: "AAAAAAAA\\BBBBBBBB\\CCCCCCCC\\DDDDDDDD\\EEEEEEEE", rootFile: "L.IMG" } },
      { floppy: { label: "A B" } },
      { boot: { kernelPath: "\\zImage." } },
    ]) {
      expect(validateConfig(cfg(partial))).toEqual([]);
    }
    expect(() => buildImages({ config: cfg({ floppy: { label: "A B" } }), ingredients })).not.toThrow();
  });
});

describe("tree problems of the user's root are E_TREE at root.source, with the limit", () => {
  const base = (): TreeEntry[] => [
    { path: "/bin", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 0 },
    { path: "/sbin", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 0 },
    // A real shell and a #! init: the build checks that the kernel could start them.
    { path: "/bin/sh", kind: "file", mode: 0o755, uid: 0, gid: 0, mtime: 0, data: ingredients.busyboxRoot },
    {
      path: "/sbin/init",
      kind: "file",
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtime: 0,
      data: new TextEncoder().encode("#!/bin/sh\n"),
    },
  ];
  const tarConfig = cfg({ root: { source: "tar", sizeMiB: 64 }, disk: { sizeMiB: 80 } });
  const refuse = (tree: Tree) =>
    thrownLooproot(() => planBuild({ config: tarConfig, ingredients, rootArchive: writeTar(tree) }));

  it("an mtime outside ext2's range", () => {
    const e = refuse([
      ...base(),
      { path: "/late", kind: "file", mode: 0o644, uid: 0, gid: 0, mtime: 3_000_000_000, data: new Uint8Array(1) },
    ]);
    expect([e.code, e.field, e.data.path]).toEqual([ErrorCode.Tree, "root.source", "/late"]);
  });
  it("a /lost+found that is a file", () => {
    const e = refuse([
      ...base(),
      { path: "/lost+found", kind: "file", mode: 0o644, uid: 0, gid: 0, mtime: 0, data: new Uint8Array(1) },
    ]);
    expect([e.code, e.field, e.data.path]).toEqual([ErrorCode.Tree, "root.source", "/lost+found"]);
  });
  it("a symlink target longer than a block", () => {
    const e = refuse([
      ...base(),
      { path: "/l", kind: "symlink", mode: 0o777, uid: 0, gid: 0, mtime: 0, target: "ab/".repeat(350) + "c" },
    ]);
    expect([e.code, e.field, e.limit]).toEqual([ErrorCode.Tree, "root.source", 1023]);
  });
  it("more than 32,000 links to one file", () => {
    const t: Tree = base();
    for (let i = 0; i < 32_000; i++)
      t.push({ path: `/bin/l${i}`, kind: "hardlink", mode: 0o755, uid: 0, gid: 0, mtime: 0, target: "/bin/sh" });
    const e = refuse(t);
    expect([e.code, e.field, e.limit, e.data.path]).toEqual([ErrorCode.Tree, "root.source", 32000, "/bin/sh"]);
  });
  it("more than 32,000 subdirectories", () => {
    const t: Tree = base();
    t.push({ path: "/d", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 0 });
    for (let i = 0; i < 31_999; i++) t.push({ path: `/d/${i}`, kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 0 });
    const e = refuse(t);
    expect([e.code, e.field, e.limit, e.data.path]).toEqual([ErrorCode.Tree, "root.source", 31998, "/d"]);
  });
});
