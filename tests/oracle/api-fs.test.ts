// looproot/fs, the package's image API, against Debian's tools: fsck.fat -n and mtools for the
// floppy and the disk, sfdisk for the MBR, e2fsck -fn and debugfs for ext2, blkid for swap.
import { describe, it, expect } from "vitest";
import {
  makeFatFloppy,
  makeFatDisk,
  makeExt2,
  makeSwap,
  treeFromFiles,
  writeTar,
  gzip,
  readFat,
  readFatDisk,
  readMbr,
  readTar,
  readSwap,
  readExt2,
  ATTR,
  type FileEntry,
} from "../../src/fs/index.ts";
import { LooprootError } from "../../src/errors.ts";
import { lrdos } from "../../emulator/node.ts";
import { tempDir, run, fsckFat, mtoolsList, mtype } from "./fat-oracles.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function thrown(f: () => unknown): LooprootError {
  try {
    f();
  } catch (e) {
    if (e instanceof LooprootError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("makeFatFloppy", () => {
  it("writes a bootable floppy: the DOS's system files first, then the files in order; fsck.fat and mtools agree", () => {
    const t = tempDir("api-floppy");
    try {
      const img = makeFatFloppy({
        files: [
          { path: "autoexec.bat", data: enc("@echo off\r\n") },
          { path: "games/tetris.com", data: new Uint8Array(3000).fill(7) },
        ],
        label: "MYDISK",
        system: lrdos(),
      });
      expect(img.length).toBe(1474560);
      const f = t.file("f.img", img);
      expect(fsckFat(f).ok, fsckFat(f).output).toBe(true);
      expect(readFat(img).entries.map((e) => e.path)).toEqual([
        "LRDOS.SYS",
        "COMMAND.COM",
        "AUTOEXEC.BAT",
        "GAMES",
        "GAMES\\TETRIS.COM",
      ]);
      expect(readFat(img).entries[0].attributes & (ATTR.SYSTEM | ATTR.HIDDEN)).toBe(ATTR.SYSTEM | ATTR.HIDDEN);
      expect(mtoolsList(f).join(" ")).toMatch(/AUTOEXEC\.BAT/);
      expect(mtype(f, "GAMES/TETRIS.COM").equals(Buffer.alloc(3000, 7))).toBe(true);
      // Same input, same bytes.
      expect(
        makeFatFloppy({
          files: [
            { path: "autoexec.bat", data: enc("@echo off\r\n") },
            { path: "games/tetris.com", data: new Uint8Array(3000).fill(7) },
          ],
          label: "MYDISK",
          system: lrdos(),
        }),
      ).toEqual(img);
    } finally {
      t.cleanup();
    }
  });

  it("refuses bad names, doubles and sizes with a LooprootError naming the field", () => {
    expect(
      thrown(() =>
        makeFatFloppy({
          files: [
            { path: "ok.txt", data: enc("") },
            { path: "much-too-long.txt", data: enc("") },
          ],
        }),
      ).field,
    ).toBe("files[1].path");
    const dup = thrown(() =>
      makeFatFloppy({
        files: [
          { path: "a.txt", data: enc("") },
          { path: "A.TXT", data: enc("") },
        ],
      }),
    );
    expect(dup.field).toBe("files[1].path");
    expect(dup.message).toMatch(/same DOS name as files\[0\]/);
    expect(
      thrown(() => makeFatFloppy({ files: [{ path: "COMMAND.COM", data: enc("") }], system: lrdos() })).field,
    ).toBe("files[0].path");
    expect(thrown(() => makeFatFloppy({ files: [], floppy: "1.3M" as never })).field).toBe("floppy");
    expect(
      thrown(() => makeFatFloppy({ files: [{ path: "big.bin", data: new Uint8Array(400_000) }], floppy: "360K" })).code,
    ).toBe("E_LIMIT");
  });
});

describe("makeFatDisk", () => {
  it("writes an MBR disk whose FAT16 partition sfdisk and fsck.fat accept", () => {
    const t = tempDir("api-disk");
    try {
      const img = makeFatDisk({
        sizeBytes: 40 * 16 * 63 * 512,
        files: [{ path: "LINUX/HELLO.TXT", data: enc("hi\r\n") }],
        label: "DATA",
      });
      const f = t.file("d.img", img);
      const parts = JSON.parse(run("sfdisk", ["--json", f]).stdout).partitiontable.partitions;
      expect(parts).toHaveLength(1);
      expect(parts[0]).toMatchObject({ start: 63, type: "4", bootable: true });
      expect(readMbr(img)[0]).toMatchObject({ start: 63, type: 4, active: true });
      const part = t.file("p.img", img.subarray(63 * 512, (63 + parts[0].size) * 512));
      expect(fsckFat(part).ok, fsckFat(part).output).toBe(true);
      expect(readFatDisk(img).entries.map((e) => e.path)).toEqual(["LINUX", "LINUX\\HELLO.TXT"]);
      expect(readFatDisk(img).fatType).toBe(16);
    } finally {
      t.cleanup();
    }
  });
});

describe("makeExt2 and makeSwap", () => {
  it("makes the same ext2 image from a tree and from its tar.gz, and e2fsck -fn and debugfs accept it", () => {
    const t = tempDir("api-ext2");
    try {
      const tree = treeFromFiles([
        { path: "/sbin/init", data: "#!/bin/sh\necho hi\n", executable: true },
        { path: "etc/motd", data: "hello\n" },
        { path: "/bin/sh", symlink: "busybox" },
      ]);
      const a = makeExt2({ tree, label: "root" });
      const b = makeExt2({ tar: gzip(writeTar(tree)), label: "root" });
      expect(b).toEqual(a);
      const f = t.file("r.img", a);
      const fsck = run("e2fsck", ["-fn", f]);
      expect(fsck.status, fsck.stdout + fsck.stderr).toBe(0);
      expect(run("debugfs", ["-R", "cat /etc/motd", f]).stdout).toBe("hello\n");
      expect(run("debugfs", ["-R", "stat /sbin/init", f]).stdout).toMatch(/Mode:\s+0755/);
      expect(readTar(writeTar(tree)).map((e) => e.path)).toEqual(tree.map((e) => e.path));
      const back = readExt2(a);
      expect(
        new TextDecoder().decode(back.find((e): e is FileEntry => e.path === "/etc/motd" && e.kind === "file")?.data),
      ).toBe("hello\n");
      expect(back.find((e) => e.path === "/bin/sh")).toMatchObject({ kind: "symlink", target: "busybox" });
      expect(back.find((e) => e.path === "/sbin/init")?.mode).toBe(0o755);
      expect(thrown(() => makeExt2({ tree, tar: writeTar(tree) } as never)).code).toBe("E_TYPE");
      expect(
        thrown(() => makeExt2({ tar: enc("not a tar at all, just text that is long enough to be a block?") })).code,
      ).toBe("E_TAR");
    } finally {
      t.cleanup();
    }
  });

  it("makes swap that blkid reads with its label and UUID, and readSwap agrees", () => {
    const t = tempDir("api-swap");
    try {
      const img = makeSwap({ sizeBytes: 1 << 20, label: "myswap" });
      const f = t.file("s.img", img);
      const blk = run("blkid", ["-p", "-o", "export", f]).stdout;
      expect(blk).toMatch(/TYPE=swap/);
      expect(blk).toMatch(/LABEL=myswap/);
      const info = readSwap(img);
      expect(info.lastPage).toBe(255);
      expect(info.label).toBe("myswap");
      expect(thrown(() => makeSwap({ sizeBytes: 4096 * 3 })).field).toBe("sizeBytes");
      expect(thrown(() => makeSwap({ sizeBytes: 1 << 20, label: "a label that is too long" })).field).toBe("label");
    } finally {
      t.cleanup();
    }
  });
});
