// The default build, checked by the real tools: every image the HOWTO's steps produce.
import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig, mergeConfig } from "../../src/config.ts";
import { buildImages, type BuildResult } from "../../src/build.ts";
import { loadIngredients } from "../../src/node/ingredients.ts";
import { derivedUuid, derivedU32 } from "../../src/ids.ts";
import { uuidString } from "../../src/util/uuid.ts";
import { diskLayout } from "../../src/howto/dosdir.ts";
import { ConfigError } from "../../src/validate.ts";
import { readExt2, diffTrees } from "./ext2-read.ts";
import { checkTree } from "../../src/fs/tree.ts";

const run = (cmd: string, args: string[], env: Record<string, string> = {}) =>
  execFileSync(cmd, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MTOOLS_SKIP_CHECK: "1", ...env },
  });

describe("the default build, checked by the real tools", () => {
  const config = defaultConfig();
  let r: BuildResult;
  let dir: string;
  const path = (n: string) => join(dir, n);
  beforeAll(() => {
    r = buildImages({ config, ingredients: loadIngredients() });
    dir = mkdtempSync(join(tmpdir(), "lr-build-"));
    for (const f of r.files) writeFileSync(path(f.name), f.data);
  });

  it("the initrd: e2fsck clean, debugfs sees the tree, gzip -t accepts the .gz", () => {
    run("e2fsck", ["-fn", path("initrd.img")]);
    expect(diffTrees(checkTree(r.initrdTree), readExt2(path("initrd.img")))).toEqual([]);
    run("gzip", ["-t", path("initrdgz.img")]);
    expect(execFileSync("gzip", ["-dc", path("initrdgz.img")]).equals(Buffer.from(r.initrd))).toBe(true);
    const sb = run("dumpe2fs", ["-h", path("initrd.img")]);
    expect(sb).toMatch(/Block size:\s+1024/);
    expect(sb).toMatch(/Block count:\s+1024/);
    expect(sb).toMatch(/Reserved block count:\s+51\b/);
    expect(r.initrdGz.length).toBeLessThanOrEqual(128 * 1024);
  });

  it("the root: e2fsck clean, debugfs tree identical, blkid UUID and label", () => {
    run("e2fsck", ["-fn", path("linuxdsk.img")]);
    expect(diffTrees(checkTree(r.rootTree), readExt2(path("linuxdsk.img")))).toEqual([]);
    const b = run("blkid", ["-p", "-o", "export", path("linuxdsk.img")]);
    expect(b).toContain("TYPE=ext2");
    expect(b).toContain(`UUID=${uuidString(derivedUuid(config, "root"))}`);
    expect(b).toContain(`LABEL=${config.root.label}`);
  });

  it("the swap: blkid and swaplabel agree", () => {
    const b = run("blkid", ["-p", "-o", "export", path("linuxswp.img")]);
    expect(b).toContain("TYPE=swap");
    expect(b).toContain(`UUID=${uuidString(derivedUuid(config, "swap"))}`);
    expect(run("swaplabel", [path("linuxswp.img")])).toContain(`LABEL: ${config.swap.label}`);
  });

  it("the floppy: fsck.fat clean, mtools reads every file back", () => {
    expect(r.floppy.length).toBe(1474560);
    run("fsck.fat", ["-n", path("floppy.img")]);
    const dirList = run("mdir", ["-a", "-i", path("floppy.img"), "::"]);
    for (const n of ["LRDOS    SYS", "COMMAND  COM", "AUTOEXEC BAT", "LOADLIN  EXE", "ZIMAGE", "INITRDGZ IMG"])
      expect(dirList).toContain(n);
    const ing = loadIngredients();
    const back = (n: string) =>
      new Uint8Array(
        execFileSync("mtype", ["-i", path("floppy.img"), "::" + n], {
          env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
          maxBuffer: 1 << 24,
        }),
      );
    expect(back("ZIMAGE")).toEqual(ing.kernel);
    expect(back("LOADLIN.EXE")).toEqual(ing.loadlin);
    expect(back("INITRDGZ.IMG")).toEqual(r.initrdGz);
    expect(new TextDecoder().decode(back("AUTOEXEC.BAT"))).toBe(r.texts.autoexecBat);
    expect(run("file", [path("floppy.img")])).toMatch(/DOS\/MBR boot sector/);
    expect(r.floppyFreeBytes).toBeGreaterThan(0);
  });

  it("the hard disk: sfdisk, blkid and mtools agree on the partition and C:\\LINUX", () => {
    const layout = diskLayout(config);
    const sf = JSON.parse(run("sfdisk", ["--json", path("disk.img")])).partitiontable;
    expect(sf.label).toBe("dos");
    expect(sf.partitions).toHaveLength(1);
    expect(sf.partitions[0]).toMatchObject({ start: 63, size: layout.partitionSectors, type: "6", bootable: true });
    const off = 63 * 512;
    const b = run("blkid", ["-p", "-O", String(off), "-o", "export", path("disk.img")]);
    expect(b).toContain("TYPE=vfat");
    expect(b).toContain("VERSION=FAT16");
    const serial = derivedU32(config, "disk-serial").toString(16).toUpperCase().padStart(8, "0");
    expect(b).toContain(`UUID=${serial.slice(0, 4)}-${serial.slice(4)}`);
  });

  it("the DOS partition itself: fsck.fat clean and the images byte-identical through mtools", () => {
    const part = join(dir, "part.img");
    writeFileSync(part, r.disk.subarray(63 * 512));
    run("fsck.fat", ["-n", part]);
    const img = `${path("disk.img")}@@${63 * 512}`;
    const listing = run("mdir", ["-i", img, "::LINUX"]);
    expect(listing).toContain("LINUXDSK IMG");
    expect(listing).toContain("LINUXSWP IMG");
    const got = execFileSync("mtype", ["-i", img, "::LINUX/LINUXDSK.IMG"], {
      env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
      maxBuffer: 1 << 28,
    });
    expect(Buffer.from(r.root).equals(got)).toBe(true);
  });

  it("is byte-identical when built again, and differs when the config does", () => {
    const again = buildImages({ config: defaultConfig(), ingredients: loadIngredients() });
    for (const f of r.files)
      expect(Buffer.from(again.files.find((g) => g.name === f.name)!.data).equals(Buffer.from(f.data)), f.name).toBe(
        true,
      );
    const other = buildImages({
      config: mergeConfig(defaultConfig(), { name: "other" }),
      ingredients: loadIngredients(),
    });
    expect(Buffer.from(other.root).equals(Buffer.from(r.root))).toBe(false);
  });

  it("refuses before any work: a root too small, a floppy overflow", () => {
    const ing = loadIngredients();
    const big = { ...ing, busyboxRoot: new Uint8Array(3_000_000) };
    expect(() =>
      buildImages({ config: mergeConfig(defaultConfig(), { root: { sizeMiB: 2 } }), ingredients: big }),
    ).toThrow(
      /root\.sizeMiB: 2 MiB is too small for the root's contents: needs at least 4 MiB \(3,\d{3},\d{3} bytes\)/,
    );
    const fat = { ...ing, kernel: new Uint8Array(1_400_000) };
    let err: unknown;
    try {
      buildImages({ config: defaultConfig(), ingredients: fat });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe("E_CONFIG");
    expect((err as ConfigError).problems[0].field).toBe("floppy.kind");
    expect((err as ConfigError).message).toMatch(/1\.44M floppy/);
  });
});
