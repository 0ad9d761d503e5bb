// The hard disk: MBR and FAT16 partition against sfdisk, blkid, file, fsck.fat, mtools, the npm
// fatfs reader, and SeaBIOS itself (QEMU's debug console prints the geometry it chose).

import { describe, it, expect, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { openSync, writeSync, closeSync, ftruncateSync, readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { makeFat, FAT16_MAX_SECTORS, type FatFile } from "../../src/fs/fat/index.ts";
import {
  makeDisk,
  makeMbr,
  biosGeometry,
  diskLayout,
  MBR_DISK_MAX_BYTES,
  MBR_DISK_MIN_BYTES,
} from "../../src/fs/mbr.ts";
import { tempDir, run, fsckFat, mtoolsList, sha256, bytes } from "./fat-oracles.ts";

const T = 1_700_000_000;
const MiB = 1024 * 1024;
const tmp = tempDir("mbr");
afterAll(() => tmp.cleanup());

function buildDisk(sizeBytes: number, files: FatFile[], serial = 0x4c4f4f50, label = "LOOPROOT") {
  const L = diskLayout(sizeBytes);
  const volume = makeFat(
    {
      totalSectors: L.partitionSectors,
      hiddenSectors: L.partitionStart,
      heads: L.geometry.heads,
      sectorsPerTrack: L.geometry.sectorsPerTrack,
      driveNumber: 0x80,
      label,
      serial,
      time: T,
    },
    files,
  );
  return { L, volume, disk: makeDisk({ sizeBytes, volume, diskSignature: 0x1d15c0de, active: true }) };
}

describe("the DOS hard disk", () => {
  it("64 MiB with a 48 MiB LINUXDSK.IMG: sfdisk, blkid, file, fsck.fat, mtools and fatfs agree (and it is fast)", async () => {
    const root = bytes(48 * MiB, 1);
    const swap = bytes(8 * MiB, 2);
    const files: FatFile[] = [
      { path: "LINUX\\LINUXDSK.IMG", data: root },
      { path: "LINUX\\LINUXSWP.IMG", data: swap },
    ];
    const t0 = performance.now();
    const { L, disk } = buildDisk(64 * MiB, files);
    const ms = performance.now() - t0;
    console.log(`64 MiB disk, FAT16 partition with a 48 MiB and an 8 MiB file: built in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(5000);
    expect(L).toEqual({
      geometry: { cylinders: 130, heads: 16, sectorsPerTrack: 63 },
      partitionStart: 63,
      partitionSectors: 130977,
    });
    const img = tmp.file("disk64.img", disk);

    const sf = JSON.parse(run("sfdisk", ["--json", img]).stdout).partitiontable;
    expect(sf.label).toBe("dos");
    expect(sf.id).toBe("0x1d15c0de");
    expect(sf.partitions).toEqual([{ node: `${img}1`, start: 63, size: 130977, type: "6", bootable: true }]);
    expect(run("sfdisk", ["-l", img]).stdout).toMatch(/img1 \*\s+63\s+131039\s+130977\s+64M\s+6 FAT16/);
    // sfdisk --verify checks the CHS fields against the geometry it derives from the table.
    const verify = run("sfdisk", ["--verify", img]);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);

    const fileOut = run("file", [img]).stdout;
    expect(fileOut).toMatch(
      /DOS\/MBR boot sector; partition 1 : ID=0x6, active, start-CHS \(0x0,1,1\), end-CHS \(0x81,15,63\), startsector 63, 130977 sectors/,
    );

    const bl = run("blkid", ["-p", "-O", String(63 * 512), img]).stdout;
    expect(bl).toMatch(/ LABEL="LOOPROOT"/);
    expect(bl).toMatch(/ UUID="4C4F-4F50"/);
    expect(bl).toMatch(/ VERSION="FAT16"/);
    expect(bl).toMatch(/ TYPE="vfat"/);

    const part = tmp.file("part64.img", disk.subarray(63 * 512));
    const fsck = fsckFat(part);
    expect(fsck.ok, fsck.output).toBe(true);
    const at = `${img}@@${63 * 512}`;
    expect(mtoolsList(at).sort()).toEqual(["LINUX/", "LINUX/LINUXDSK.IMG", "LINUX/LINUXSWP.IMG"]);
    const out = tmp.file("out-root.img");
    expect(run("mcopy", ["-n", "-i", at, "::/LINUX/LINUXDSK.IMG", out]).status).toBe(0);
    expect(sha256(readFileSync(out))).toBe(sha256(root));
    expect(run("minfo", ["-i", at, "::"]).stdout).toMatch(/hidden sectors: 63\b/);

    // The npm fatfs package as an independent reader, through a driver that adds the offset.
    const fatfs = createRequire(import.meta.url)("fatfs");
    const buf = Buffer.from(disk.buffer, disk.byteOffset, disk.byteLength);
    const driver = {
      sectorSize: 512,
      numSectors: L.partitionSectors,
      readSectors(i: number, dest: Buffer, cb: (e: Error | null) => void) {
        buf.copy(dest, 0, (63 + i) * 512, (63 + i) * 512 + dest.length);
        cb(null);
      },
    };
    const fs = fatfs.createFileSystem(driver, { ro: true });
    await new Promise<void>((res, rej) => {
      fs.on("ready", res);
      fs.on("error", rej);
    });
    const swapBack = await new Promise<Buffer>((res, rej) =>
      fs.readFile("/LINUX/LINUXSWP.IMG", (e: Error | null, d: Buffer) => (e ? rej(e) : res(d))),
    );
    expect(sha256(swapBack)).toBe(sha256(swap));
  });

  for (const [mib, type, heads] of [
    [20, "4", 16],
    [300, "6", 16],
    [520, "6", 32],
  ] as const) {
    it(`${mib} MiB: partition type 0x${type}, ${heads} heads, clean volume`, () => {
      const files: FatFile[] = [{ path: "LINUX\\A.IMG", data: bytes(200_000, mib) }];
      const { L, disk } = buildDisk(mib * MiB, files, 0xabcd0000 + mib, "P" + mib);
      expect(L.geometry.heads).toBe(heads);
      expect((L.partitionStart + L.partitionSectors) % (heads * 63)).toBe(0);
      const img = tmp.file(`disk${mib}.img`, disk);
      const sf = JSON.parse(run("sfdisk", ["--json", img]).stdout).partitiontable;
      expect(sf.partitions[0]).toMatchObject({ start: 63, size: L.partitionSectors, type, bootable: true });
      expect(run("sfdisk", ["--verify", img]).status).toBe(0);
      const bl = run("blkid", ["-p", "-O", String(63 * 512), img]).stdout;
      expect(bl).toMatch(new RegExp(` LABEL="P${mib}"`));
      const fsck = fsckFat(tmp.file(`part${mib}.img`, disk.subarray(63 * 512)));
      expect(fsck.ok, fsck.output).toBe(true);
      expect(
        run("mtype", ["-i", `${img}@@${63 * 512}`, "::/LINUX/A.IMG"]).raw.equals(Buffer.from(bytes(200_000, mib))),
      ).toBe(true);
    });
  }

  it("the MBR's own boot program tells the user to boot from the floppy", () => {
    const mbr = makeMbr({ sizeBytes: 64 * MiB, diskSignature: 1 });
    expect(Buffer.from(mbr.subarray(0, 440)).toString("latin1")).toMatch(
      /Boot from the floppy: this disk holds the DOS partition/,
    );
    const dis = run("ndisasm", ["-b16", "-o", "0x7c00", tmp.file("mbr.bin", mbr.subarray(0, 32))]).stdout;
    expect(dis).toMatch(/int 0x10/);
    expect([mbr[510], mbr[511]]).toEqual([0x55, 0xaa]);
    expect(mbr[446]).toBe(0x80);
    expect(makeMbr({ sizeBytes: 64 * MiB, diskSignature: 1, active: false })[446]).toBe(0);
  });

  it("building the volume in place inside the disk gives the same bytes as makeDisk", () => {
    const size = 16 * MiB;
    const files = [{ path: "LINUX\\X", data: bytes(100_000, 4) }];
    const { L, disk } = buildDisk(size, files);
    const inPlace = new Uint8Array(size);
    const window = inPlace.subarray(L.partitionStart * 512, (L.partitionStart + L.partitionSectors) * 512);
    makeFat(
      {
        totalSectors: L.partitionSectors,
        hiddenSectors: 63,
        heads: 16,
        sectorsPerTrack: 63,
        driveNumber: 0x80,
        label: "LOOPROOT",
        serial: 0x4c4f4f50,
        time: T,
      },
      files,
      [],
      window,
    );
    inPlace.set(
      makeMbr({
        sizeBytes: size,
        diskSignature: 0x1d15c0de,
        volumeBytes: window.length,
        volumeBootSector: window.subarray(0, 512),
      }),
      0,
    );
    expect(sha256(inPlace)).toBe(sha256(disk));
    expect(() => makeFat({ totalSectors: 1000, serial: 1, time: T }, [], [], new Uint8Array(512))).toThrow(
      "into: 512 bytes, the volume has 512,000",
    );
  });

  it("is deterministic", () => {
    const files = [{ path: "LINUX\\X", data: bytes(10_000, 3) }];
    expect(sha256(buildDisk(8 * MiB, files).disk)).toBe(sha256(buildDisk(8 * MiB, files).disk));
  });
});

// SeaBIOS prints "drive ...: PCHS=c/h/s translation=... LCHS=c/h/s" on QEMU's debug console (port 0x402).
function seabiosLchs(img: string, logName: string): Promise<string> {
  const log = tmp.file(logName);
  return new Promise((resolve, reject) => {
    const q = spawn(
      "qemu-system-i386",
      [
        "-display",
        "none",
        "-nodefaults",
        "-m",
        "16",
        "-no-reboot",
        "-drive",
        `file=${img},format=raw,if=ide`,
        "-chardev",
        `file,id=dbg,path=${log}`,
        "-device",
        "isa-debugcon,iobase=0x402,chardev=dbg",
      ],
      { stdio: "ignore" },
    );
    const started = Date.now();
    const poll = setInterval(() => {
      const text = existsSync(log) ? readFileSync(log, "latin1") : "";
      const m = /translation=(\w+) LCHS=(\d+\/\d+\/\d+)/.exec(text);
      if (m || Date.now() - started > 20_000) {
        clearInterval(poll);
        q.kill("SIGKILL");
        if (m) resolve(`${m[1]} ${m[2]}`);
        else reject(new Error(`no geometry line from SeaBIOS in ${log}: ${text.slice(0, 500)}`));
      }
    }, 50);
    q.on("error", (e) => {
      clearInterval(poll);
      reject(e);
    });
  });
}

/** A sparse disk file holding only our MBR. */
function sparseDisk(name: string, sizeBytes: number, partitionSectors?: number): string {
  const p = tmp.file(name);
  const fd = openSync(p, "w");
  ftruncateSync(fd, sizeBytes);
  writeSync(fd, makeMbr({ sizeBytes, partitionSectors, diskSignature: 2 }), 0, 512, 0);
  closeSync(fd);
  return p;
}

describe("biosGeometry is what SeaBIOS reports for the disk with our MBR on it", () => {
  const cases: [string, number, string][] = [
    ["64 MiB", 64 * MiB, "none"],
    ["504 MiB", 1024 * 1008 * 512, "none"],
    ["600 MiB", 600 * MiB, "large"],
    ["1 GiB", 1024 * MiB, "large"],
    ["2047 MiB", 2047 * MiB, "large"],
    ["5000 MiB", 5000 * MiB, "lba"],
  ];
  it.each(cases)("%s", async (_name, size, translation) => {
    const g = biosGeometry(size);
    const L = diskLayout(size);
    // Above FAT16's limit the partition stops at the last whole cylinder below it.
    const cyl = g.heads * g.sectorsPerTrack;
    const count =
      L.partitionSectors > FAT16_MAX_SECTORS ? Math.floor((FAT16_MAX_SECTORS + 63) / cyl) * cyl - 63 : undefined;
    const img = sparseDisk(`geo-${size}.img`, size, count);
    expect(run("sfdisk", ["--verify", img]).status).toBe(0);
    expect(await seabiosLchs(img, `seabios-${size}.log`)).toBe(
      `${translation} ${g.cylinders}/${g.heads}/${g.sectorsPerTrack}`,
    );
  });

  it("a blank 1 GiB disk gets LBA translation (32 heads), which our MBR would not keep: hence the fixed point", async () => {
    const p = tmp.file("blank.img");
    const fd = openSync(p, "w");
    ftruncateSync(fd, 1024 * MiB);
    closeSync(fd);
    expect(await seabiosLchs(p, "seabios-blank.log")).toBe("lba 1024/32/63");
    expect(biosGeometry(1024 * MiB).heads).toBe(64);
  });
});

describe("errors name the field and the limit", () => {
  const vol = (sectors: number, hidden = 63, heads = 16) =>
    makeFat({ totalSectors: sectors, hiddenSectors: hidden, heads, sectorsPerTrack: 63, serial: 1, time: T }, []);
  const size = 64 * MiB;
  it("sizes and layout", () => {
    expect(() => biosGeometry(1000)).toThrow("sizeBytes: 1000 is not a whole number of 512-byte sectors");
    expect(() => biosGeometry(MBR_DISK_MIN_BYTES - 512)).toThrow(/sizeBytes: 1,031,680 is outside 1,032,192\.\./);
    expect(() => biosGeometry(MBR_DISK_MAX_BYTES + 512)).toThrow(/\.\.8,589,934,592 bytes/);
    expect(() => diskLayout(size, 0)).toThrow(/partitionStart: 0 is outside 1\.\./);
    expect(() => makeDisk({ sizeBytes: size, volume: vol(1000), diskSignature: 1, partitionSectors: 200_000 })).toThrow(
      /partitionSectors: the partition \(sectors 63\.\.200,062\) does not fit the disk's 131,072 sectors/,
    );
    expect(() => makeDisk({ sizeBytes: size, volume: vol(1000), diskSignature: 1, partitionSectors: 5000 })).toThrow(
      /must end on a cylinder boundary \(16 heads x 63 sectors\)/,
    );
    expect(() => makeDisk({ sizeBytes: size, volume: vol(130977 + 1), diskSignature: 1 })).toThrow(
      /volume: 67,060,736 bytes do not fit the partition's 67,060,224 bytes \(512 bytes over\)/,
    );
    expect(() => makeDisk({ sizeBytes: size, volume: new Uint8Array(100), diskSignature: 1 })).toThrow(
      /volume: 100 bytes is not a whole number of sectors/,
    );
    expect(() => makeDisk({ sizeBytes: size, volume: vol(1000), diskSignature: 2 ** 32 })).toThrow(
      /diskSignature: 4294967296 is outside/,
    );
    expect(() => makeMbr({ sizeBytes: 5000 * MiB, diskSignature: 1 })).toThrow(
      /partitionSectors: 10,233,342 sectors .* is over FAT16's limit of 4,194,144 sectors/,
    );
  });
  it("the volume must match the partition", () => {
    expect(() => makeDisk({ sizeBytes: size, volume: vol(130977, 0), diskSignature: 1 })).toThrow(
      "volume: BPB_HiddSec is 0 but the partition starts at sector 63",
    );
    expect(() => makeDisk({ sizeBytes: size, volume: vol(130977, 63, 255), diskSignature: 1 })).toThrow(
      "volume: BPB geometry 255 heads x 63 sectors differs from the BIOS's 16 x 63",
    );
  });
  it("the type must match the size and the FAT", () => {
    const small = 16 * MiB;
    const Ls = diskLayout(small);
    const v16 = makeFat({ totalSectors: Ls.partitionSectors, hiddenSectors: 63, serial: 1, time: T }, []);
    const v12 = makeFat({ totalSectors: Ls.partitionSectors, hiddenSectors: 63, fatType: 12, serial: 1, time: T }, []);
    expect(makeDisk({ sizeBytes: small, volume: v16, diskSignature: 1 })[446 + 4]).toBe(0x04);
    expect(makeDisk({ sizeBytes: small, volume: v12, diskSignature: 1 })[446 + 4]).toBe(0x01);
    expect(makeDisk({ sizeBytes: size, volume: vol(130977), diskSignature: 1 })[446 + 4]).toBe(0x06);
    expect(() => makeDisk({ sizeBytes: small, volume: v16, diskSignature: 1, partitionType: 0x06 })).toThrow(
      /partitionType: 0x06 is for FAT16 from 32 MiB .* use 0x04/,
    );
    expect(() => makeDisk({ sizeBytes: size, volume: vol(130977), diskSignature: 1, partitionType: 0x04 })).toThrow(
      /partitionType: 0x04 is for FAT16 under 32 MiB .* use 0x06/,
    );
    expect(() => makeDisk({ sizeBytes: small, volume: v16, diskSignature: 1, partitionType: 0x01 })).toThrow(
      "partitionType: 0x01 is FAT12 but the volume is FAT16",
    );
    expect(() => makeDisk({ sizeBytes: small, volume: v12, diskSignature: 1, partitionType: 0x04 })).toThrow(
      /0x04 is FAT16 but the volume is FAT12/,
    );
    expect(() => makeDisk({ sizeBytes: size, volume: vol(130977), diskSignature: 1, partitionType: 0x0b })).toThrow(
      "partitionType: 0xb is not a DOS FAT type (0x01, 0x04 or 0x06)",
    );
  });
});
