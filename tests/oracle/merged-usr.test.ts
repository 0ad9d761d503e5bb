// Roots as distributions ship them: merged /usr (/bin, /sbin, /lib are links into /usr), packed by
// the real tar from a folder made here. The build finds /bin/sh and /sbin/init through the links,
// puts looproot-init where /sbin leads, and names what is wrong or which size fits when it cannot.
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { LooprootError } from "../../src/errors.ts";
import { buildImages } from "../../src/build.ts";
import { defaultConfig, mergeConfig } from "../../src/config.ts";
import { loadIngredients } from "../../src/node/ingredients.ts";
import { main } from "../../src/cli/main.ts";
import { configFromImages } from "../../src/cli/buildinfo.ts";
import { scratchDir } from "./ext2-read.ts";

const scratch = scratchDir("looproot-merged-");
const ing = loadIngredients();

/** A merged-/usr system folder; `change` edits it before it is packed with `tar -C DIR -czf`. */
function tarball(change: (dir: string) => void = () => {}): { file: string; data: Uint8Array } {
  const dir = scratch.unique("root", "");
  for (const d of ["usr/bin", "usr/sbin", "usr/lib/sysvinit", "etc"])
    fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.symlinkSync("usr/bin", path.join(dir, "bin"));
  fs.symlinkSync("usr/sbin", path.join(dir, "sbin"));
  fs.symlinkSync("usr/lib", path.join(dir, "lib"));
  fs.writeFileSync(path.join(dir, "usr/bin/dash"), ing.busyboxRoot, { mode: 0o755 });
  fs.symlinkSync("dash", path.join(dir, "usr/bin/sh"));
  fs.writeFileSync(path.join(dir, "usr/lib/sysvinit/init"), ing.busyboxRoot, { mode: 0o755 });
  fs.symlinkSync("/lib/sysvinit/init", path.join(dir, "usr/sbin/init"));
  fs.writeFileSync(path.join(dir, "etc/inittab"), "id:2:initdefault:\n");
  change(dir);
  const file = dir + ".tar.gz";
  execFileSync("tar", ["-C", dir, "-czf", file, "."]);
  return { file, data: new Uint8Array(fs.readFileSync(file)) };
}

const config = (p: Record<string, unknown> = {}) =>
  mergeConfig(mergeConfig(defaultConfig(), { root: { source: "tar" } }), p);
const build = (data: Uint8Array, p: Record<string, unknown> = {}) =>
  buildImages({ config: config(p), ingredients: ing, rootArchive: data });

describe("a merged-/usr root tarball", () => {
  it("builds: /bin/sh and /sbin/init are found through the links, looproot-init lands in /usr/sbin", () => {
    const r = build(tarball().data);
    const byPath = new Map(r.rootTree.map((x) => [x.path, x] as const));
    expect(byPath.get("/sbin")?.kind).toBe("symlink");
    expect(byPath.get("/usr/sbin/looproot-init")?.kind).toBe("file");
    expect(r.texts.autoexecBat).toContain("init=/sbin/looproot-init");
    // What boot reads back from these images says the root is the user's (init= on the LOADLIN line).
    expect(configFromImages(r.floppy, r.disk).root.source).toBe("tar");
    // The real tools agree: e2fsck finds the image clean, debugfs follows /sbin to the wrapper.
    const img = scratch.write(r.root);
    execFileSync("e2fsck", ["-fn", img], { stdio: "pipe" });
    const stat = execFileSync("debugfs", ["-R", "stat /usr/sbin/looproot-init", img], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(stat).toMatch(/Type: regular\s+Mode:\s+0755/);
    const link = execFileSync("debugfs", ["-R", "stat /sbin", img], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(link).toMatch(/Fast link dest: "usr\/sbin"/);
  });

  const refusals: [string, (dir: string) => void, RegExp][] = [
    [
      "no init behind the link",
      (d) => fs.rmSync(path.join(d, "usr/lib/sysvinit/init")),
      /\/sbin\/init cannot be started by the kernel: \/usr\/lib\/sysvinit\/init is not in the tree/,
    ],
    [
      "an init that is not executable",
      (d) => fs.chmodSync(path.join(d, "usr/lib/sysvinit/init"), 0o644),
      /\/sbin\/init cannot be started by the kernel: \/sbin\/init \(which leads to \/usr\/lib\/sysvinit\/init\) is not executable \(mode 644\)/,
    ],
    [
      "an init that is a folder",
      (d) => {
        fs.rmSync(path.join(d, "usr/lib/sysvinit/init"));
        fs.mkdirSync(path.join(d, "usr/lib/sysvinit/init"));
      },
      /\/usr\/lib\/sysvinit\/init\) is a dir/,
    ],
    [
      "a shell link that loops",
      (d) => {
        fs.rmSync(path.join(d, "usr/bin/dash"));
        fs.symlinkSync("sh", path.join(d, "usr/bin/dash"));
      },
      /\/bin\/sh is not usable \(more than 40 symlinks/,
    ],
    // Out of the tree is never followed: an absolute target starts at the tree's root, ".." stops there
    // (the tar reader itself refuses relative targets that climb out).
    [
      "a shell link that climbs out of the tree",
      (d) => {
        fs.rmSync(path.join(d, "usr/bin/sh"));
        fs.symlinkSync("/../../../tmp/sh", path.join(d, "usr/bin/sh"));
      },
      /\/bin\/sh is not usable \(\/tmp is not in the tree\)/,
    ],
  ];
  for (const [what, change, message] of refusals) {
    it(`refuses ${what}, saying what a root needs`, () => {
      let err: Error | undefined;
      try {
        build(tarball(change).data);
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).toMatch(message);
      expect((err as LooprootError).field).toBe("root.source");
      expect(err?.message).toMatch(
        /^the root tarball's .*A root needs \/sbin\/init and \/bin\/sh, each an executable regular file or a symlink to one inside the tarball/,
      );
    });
  }

  it("a root too small for the tarball names root.sizeMiB and a size that fits", async () => {
    const big = tarball((d) => {
      // 6 MiB that gzip cannot shrink, so the tarball is big and the unpacked data bigger than 4 MiB.
      const data = new Uint8Array(6 * 1024 * 1024);
      let x = 12345;
      for (let i = 0; i < data.length; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        data[i] = x >>> 24;
      }
      fs.writeFileSync(path.join(d, "usr/lib/big"), data);
    });
    let err: Error | undefined;
    try {
      build(big.data, { root: { sizeMiB: 4 } });
    } catch (e) {
      err = e as Error;
    }
    const m =
      /^root\.sizeMiB: 4 MiB is too small for the root tarball \(its files add up to more than 4,194,304 bytes\): set root\.sizeMiB to at least (\d+)$/.exec(
        err?.message ?? "",
      );
    expect(m, err?.message).not.toBeNull();
    const need = Number(m![1]);
    expect(need).toBeGreaterThanOrEqual(7);
    expect(() => build(big.data, { root: { sizeMiB: need } })).not.toThrow();
    // The same on the command line: exit 2 with the field and the size, before anything is written.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "lr-merged-out-")); // not under /dev (refused as an output)
    const errs: string[] = [];
    const code = await main(["build", "--out", out, "--rootfs", big.file, "--set", "root.sizeMiB=4"], {
      out: () => {},
      err: (s) => errs.push(s),
    });
    expect(code).toBe(2);
    expect(errs.join("\n")).toContain(`root.sizeMiB: 4 MiB is too small for the root tarball`);
    expect(errs.join("\n")).toContain(`at least ${need}`);
    expect(fs.existsSync(path.join(out, "disk.img"))).toBe(false);
    fs.rmSync(out, { recursive: true, force: true });
  });

  it("a tarball whose trailer lies about its size is damaged, not large: the gzip error, no size hint", () => {
    // A tar of 3 MiB of zeros, gzip'd, with the trailer's ISIZE changed to claim 1,000,000,000 bytes.
    const good = tarball((d) => fs.writeFileSync(path.join(d, "usr/lib/zeros"), new Uint8Array(3 * 1024 * 1024))).data;
    const gz = good.slice();
    new DataView(gz.buffer, gz.byteOffset).setUint32(gz.length - 4, 1_000_000_000, true);
    let err: Error | undefined;
    const t0 = performance.now();
    try {
      build(gz, { root: { sizeMiB: 1 } });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toBe("gzip: ISIZE does not match the data length (member 1)");
    expect(performance.now() - t0).toBeLessThan(5000);
    // Truncated, or with garbage after it: the same, whatever its last four bytes say.
    for (const [bytes, why] of [
      [good.subarray(0, good.length >> 1), /gzip: deflate stream is truncated/],
      [
        Buffer.concat([good, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0x7f])]),
        /gzip: (trailing garbage|.*too short)/,
      ],
    ] as const) {
      let e2: Error | undefined;
      try {
        build(new Uint8Array(bytes), { root: { sizeMiB: 1 } });
      } catch (e) {
        e2 = e as Error;
      }
      expect(e2?.message).toMatch(why);
      expect(e2?.message).not.toMatch(/root\.sizeMiB/);
    }
  });

  it("a --rootfs file larger than any root the hint would try names root.sizeMiB before reading it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lr-merged-big-"));
    const big = path.join(dir, "big.tar.gz");
    fs.writeFileSync(big, "");
    fs.truncateSync(big, 2 ** 30); // sparse: cheap to make, and never read
    const errs: string[] = [];
    const code = await main(["build", "--out", path.join(dir, "o"), "--rootfs", big, "--set", "root.sizeMiB=1"], {
      out: () => {},
      err: (s) => errs.push(s),
    });
    expect(code).toBe(2);
    expect(errs.join("\n")).toContain(
      `root.sizeMiB: 1 MiB is too small for the root tarball: ${big} alone is 1,073,741,824 bytes, so set root.sizeMiB to at least about 1,024`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the CLI help says what a root needs", async () => {
    const outs: string[] = [];
    await main(["--help"], { out: (s) => outs.push(s), err: () => {} });
    expect(outs.join(" ").replace(/\s+/g, " ")).toContain(
      "It needs /sbin/init and /bin/sh, each an executable regular file or a symlink to one inside the tarball (merged /usr, where /bin, /sbin and /lib link into /usr, is fine)",
    );
  });
});
