// The boot sector against every standard floppy size and a FAT16 partition, with LRDOS.SYS
// anywhere in the root directory and not contiguous; drive C: from a floppy boot.

import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeFloppy, makeHardDisk, runV86, runQemu, crlf, DOS, installBoot, tempDir, fsckClean } from "./helpers.ts";

const env = { ...process.env, MTOOLS_SKIP_CHECK: "1" };

describe("boot sector", () => {
  for (const kb of [360, 720, 1200, 1440, 2880]) {
    it(`boots a ${kb} KB FAT12 floppy in v86`, async () => {
      const f = makeFloppy([{ name: "AUTOEXEC.BAT", data: crlf(["@echo off", `echo BOOTED ${kb}`]) }], kb);
      const r = await runV86({ fda: f, until: new RegExp(`BOOTED ${kb}[\\s\\S]*A:\\\\>`), timeoutMs: 30_000 });
      expect(r.timedOut, r.serial).toBe(false);
    });
  }

  it("finds LRDOS.SYS late in the root directory and follows a fragmented FAT chain", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const img = join(dir, "f.img");
      execFileSync("mkfs.fat", ["-C", img, "1440"], { env, stdio: "ignore" });
      const b = readFileSync(img);
      installBoot(b);
      writeFileSync(img, b);
      const put = (name: string, data: Uint8Array | string) => {
        writeFileSync(join(dir, "x"), data);
        execFileSync("mcopy", ["-i", img, join(dir, "x"), "::" + name], { env });
      };
      // 20 entries before it (the second root sector), and holes of one cluster
      for (let i = 0; i < 20; i++) put(`PAD${i}.TXT`, "x".repeat(100));
      for (let i = 0; i < 20; i += 2) execFileSync("mdel", ["-i", img, `::PAD${i}.TXT`], { env });
      put("LRDOS.SYS", readFileSync(join(DOS, "LRDOS.SYS")));
      put("COMMAND.COM", readFileSync(join(DOS, "COMMAND.COM")));
      put("AUTOEXEC.BAT", crlf(["@echo off", "echo FRAGMENTED OK"]));
      // check that the file really is in pieces
      const info = execFileSync("fsck.fat", ["-n", "-v", img], { encoding: "latin1", env });
      expect(info).not.toMatch(/LRDOS\.SYS.*contiguous/);
      const r = await runV86({ fda: new Uint8Array(readFileSync(img)), until: /FRAGMENTED OK/, timeoutMs: 30_000 });
      expect(r.timedOut, r.serial).toBe(false);
    } finally {
      cleanup();
    }
  });

  it("boots a FAT16 partition on a hard disk (BPB_HiddSec = partition start, drive 80h) in v86 and QEMU", async () => {
    const hd = makeHardDisk([{ name: "AUTOEXEC.BAT", data: crlf(["@echo off", "echo HDBOOT", "dir C:\\"]) }], 32, {
      bootable: true,
    });
    const v = await runV86({ hda: hd, boot: "hd", until: /HDBOOT[\s\S]*bytes free[\s\S]*C:\\>/, timeoutMs: 30_000 });
    expect(v.timedOut, v.serial).toBe(false);
    expect(v.serial).toMatch(/COMMAND\s+COM/);
    const q = await runQemu({ hda: hd, until: /HDBOOT[\s\S]*bytes free[\s\S]*C:\\>/, timeoutMs: 30_000 });
    expect(q.timedOut, q.serial).toBe(false);
  });
});

describe("drive C:", () => {
  const hd = makeHardDisk([
    { name: "HELLO.TXT", data: "T41 hello from C\r\n" },
    { name: "LINUX/LINUXDSK.IMG", data: new Uint8Array(100_000).fill(7) },
  ]);
  const floppy = makeFloppy([
    {
      name: "AUTOEXEC.BAT",
      data: crlf([
        "@echo off",
        "type C:\\HELLO.TXT",
        "C:",
        "cd LINUX",
        "dir",
        "copy A:\\AUTOEXEC.BAT C:\\NEW.TXT",
        "md C:\\NEWDIR",
        "copy C:\\HELLO.TXT C:\\NEWDIR\\COPY.TXT",
        "type C:\\NEWDIR\\COPY.TXT",
        "A:",
        "echo T49 done",
      ]),
    },
  ]);
  const wanted = [
    /T41 hello from C/,
    /Directory of C:\\LINUX/,
    /LINUXDSK\s+IMG\s+100000/,
    /1 file\(s\) copied/,
    /T41 hello from C[\s\S]*T41 hello from C/,
    /T49 done/,
  ];

  it("reads and writes the first FAT16 partition of disk 80h in v86", async () => {
    const r = await runV86({ fda: floppy, hda: hd, until: /T49 done[\s\S]*A:\\>/, timeoutMs: 30_000 });
    expect(r.timedOut, r.serial).toBe(false);
    for (const w of wanted) expect(r.serial).toMatch(w);
  });

  it("does the same in QEMU, and the partition passes fsck.fat afterwards", async () => {
    const r = await runQemu({ fda: floppy, hda: hd, until: /T49 done[\s\S]*A:\\>/, timeoutMs: 30_000 });
    expect(r.timedOut, r.serial).toBe(false);
    for (const w of wanted) expect(r.serial).toMatch(w);
    const fsck = fsckClean(r.hdaOut!, 63 * 512);
    expect(fsck.ok, fsck.output).toBe(true);
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, "p.img"), r.hdaOut!.subarray(63 * 512));
      const copied = execFileSync("mtype", ["-i", join(dir, "p.img"), "::NEWDIR/COPY.TXT"], {
        env,
        encoding: "latin1",
      });
      expect(copied).toBe("T41 hello from C\r\n");
    } finally {
      cleanup();
    }
  });
});

describe("large files", () => {
  it("COPY of a 600 KB file on A: and to C: gives identical bytes (checked with mtools and fsck.fat)", async () => {
    const big = new Uint8Array(600_000).map((_, i) => (i * 7 + (i >> 9)) & 255);
    const floppy = makeFloppy([
      {
        name: "AUTOEXEC.BAT",
        data: crlf(["@echo off", "copy BIG.DAT BIG2.DAT", "copy BIG.DAT C:\\BIG.DAT", "del BIG.DAT", "echo T81 done"]),
      },
      { name: "BIG.DAT", data: big },
    ]);
    const hd = makeHardDisk([{ name: "OLD.TXT", data: "old" }]);
    const r = await runQemu({ fda: floppy, hda: hd, until: /T81 done[\s\S]*A:\\>/, timeoutMs: 60_000 });
    expect(r.timedOut, r.serial.slice(-1000)).toBe(false);
    expect(fsckClean(r.fdaOut!).ok).toBe(true);
    expect(fsckClean(r.hdaOut!, 63 * 512).ok).toBe(true);
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, "a.img"), r.fdaOut!);
      writeFileSync(join(dir, "c.img"), r.hdaOut!.subarray(63 * 512));
      const a = execFileSync("mtype", ["-i", join(dir, "a.img"), "::BIG2.DAT"], { env, maxBuffer: 1 << 24 });
      const c = execFileSync("mtype", ["-i", join(dir, "c.img"), "::BIG.DAT"], { env, maxBuffer: 1 << 24 });
      expect(Buffer.compare(a, Buffer.from(big))).toBe(0);
      expect(Buffer.compare(c, Buffer.from(big))).toBe(0);
      const list = execFileSync("mdir", ["-b", "-i", join(dir, "a.img"), "::"], { env, encoding: "latin1" });
      expect(list).not.toMatch(/BIG\.DAT/i);
    } finally {
      cleanup();
    }
  });
});
