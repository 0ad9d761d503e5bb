// FAT12/FAT16 writer and reader against dosfstools, mtools, file(1) and the npm fatfs reader.

import { describe, it, expect, afterAll } from "vitest";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  makeFat,
  fatSpace,
  readFat,
  extractSystem,
  fatGeometry,
  FLOPPY_BPB,
  FAT16_MAX_SECTORS,
  ATTR_READ_ONLY,
  ATTR_HIDDEN,
  ATTR_SYSTEM,
  ATTR_ARCHIVE,
  ATTR_DIRECTORY,
  type FatFile,
  type FatOptions,
  type FloppyKind,
} from "../../src/fs/fat/index.ts";
import { toDosName } from "../../src/fs/fat/dosname.ts";
import { tempDir, run, fsckFat, mtoolsList, mtype, mattrib, attrLetters, sha256, bytes } from "./fat-oracles.ts";

const T = 1_700_000_000; // 2023-11-14 22:13:20 UTC
const tmp = tempDir("fat");
afterAll(() => tmp.cleanup());

const KINDS = Object.keys(FLOPPY_BPB) as FloppyKind[];
const SYS = ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM;

function floppyFiles(seed: number): FatFile[] {
  return [
    { path: "LRBIO.SYS", data: bytes(3000, seed + 1), attributes: SYS },
    { path: "LRDOS.SYS", data: bytes(9000, seed + 2), attributes: SYS },
    { path: "COMMAND.COM", data: bytes(4100, seed + 3) },
    {
      path: "AUTOEXEC.BAT",
      data: new TextEncoder().encode("\\loadlin \\zImage initrd=\\initrdgz.img root=/dev/loop0 ro\r\n"),
      mtime: T + 3600,
    },
    { path: "EMPTY.TXT", data: new Uint8Array(0) },
    { path: "readme.txt", data: bytes(512, seed + 4), attributes: ATTR_READ_ONLY | ATTR_ARCHIVE },
    { path: "SUB\\DEEP\\FILE.BIN", data: bytes(2049, seed + 5) },
    { path: "sub/two.dat", data: bytes(1024, seed + 6), attributes: ATTR_HIDDEN },
  ];
}

/** Every check the tools can make on an image built from `files`. */
function checkWithTools(img: string, files: FatFile[], dirs: string[] = []) {
  const fsck = fsckFat(img);
  expect(fsck.output).toMatch(/clusters/);
  expect(fsck.ok, fsck.output).toBe(true);
  const expected = new Set<string>();
  const addDirs = (parts: string[]) => {
    for (let i = 1; i <= parts.length; i++) expected.add(parts.slice(0, i).join("/") + "/");
  };
  for (const f of files) {
    const parts = f.path
      .replace(/^[\\/]/, "")
      .split(/[\\/]/)
      .map(toDosName);
    addDirs(parts.slice(0, -1));
    expected.add(parts.join("/"));
  }
  for (const d of dirs) addDirs(d.split(/[\\/]/).map(toDosName));
  expect(new Set(mtoolsList(img))).toEqual(expected);
  for (const f of files) {
    const p = f.path
      .replace(/^[\\/]/, "")
      .split(/[\\/]/)
      .map(toDosName)
      .join("/");
    expect(sha256(mtype(img, p)), p).toBe(sha256(f.data));
  }
}

describe("floppies: format and copy", () => {
  for (const kind of KINDS) {
    it(`${kind}: fsck.fat clean, mtools reads every file, label, serial, attributes, file(1)`, () => {
      const files = floppyFiles(KINDS.indexOf(kind) * 10);
      const image = makeFat({ floppy: kind, label: "Looproot", serial: 0x1234abcd, time: T }, files, ["EMPTYDIR"]);
      const bpb = FLOPPY_BPB[kind];
      expect(image.length).toBe(bpb.totalSectors * 512);
      const img = tmp.file(`floppy-${kind}.img`, image);
      checkWithTools(img, files, ["EMPTYDIR"]);

      expect(run("mlabel", ["-s", "-i", img, "::"]).stdout).toMatch(/Volume label is LOOPROOT\s*$/);
      const info = run("minfo", ["-i", img, "::"]).stdout;
      expect(info).toMatch(/serial number: 1234ABCD/);
      expect(info).toMatch(new RegExp(`media descriptor byte: 0x${bpb.media.toString(16)}`));
      expect(info).toMatch(new RegExp(`max available root directory slots: ${bpb.rootEntries}\\b`));
      expect(info).toMatch(new RegExp(`sectors per fat: ${bpb.fatSectors}\\b`));
      expect(info).toMatch(new RegExp(`cluster size: ${bpb.sectorsPerCluster} sectors`));
      expect(info).toMatch(/physical drive id: 0x0\b/);

      for (const f of files) {
        const p = f.path.split(/[\\/]/).map(toDosName).join("/");
        expect(mattrib(img, p), p).toBe(attrLetters(f.attributes ?? ATTR_ARCHIVE));
      }
      // System files first and contiguous, as format /s put them.
      const vol = readFat(image);
      expect(vol.entries.slice(0, 2).map((e) => e.path)).toEqual(["LRBIO.SYS", "LRDOS.SYS"]);

      const fileOut = run("file", [img]).stdout;
      expect(fileOut).toMatch(/DOS\/MBR boot sector/);
      expect(fileOut).toMatch(/OEM-ID "LOOPROOT"/);
      expect(fileOut).toMatch(new RegExp(`root entries ${bpb.rootEntries}\\b`));
      expect(fileOut).toMatch(new RegExp(`sectors ${bpb.totalSectors}\\b`));
      expect(fileOut).toMatch(new RegExp(`sectors/FAT ${bpb.fatSectors}\\b`));
      expect(fileOut).toMatch(new RegExp(`sectors/track ${bpb.sectorsPerTrack}\\b`));
      expect(fileOut).toMatch(/serial number 0x1234abcd/);
      expect(fileOut).toMatch(/label: "LOOPROOT   "/);
      expect(fileOut).toMatch(/FAT \(12 bit\)/);
    });
  }

  it("the non-bootable stub prints its message and jumps over the BPB", () => {
    const image = makeFat({ serial: 1, time: T }, []);
    expect([...image.subarray(0, 3)]).toEqual([0xeb, 0x3c, 0x90]);
    expect(Buffer.from(image.subarray(0x3e, 0x200)).toString("latin1")).toMatch(/Not a bootable disk/);
    expect([image[510], image[511]]).toEqual([0x55, 0xaa]);
    const dis = run("ndisasm", ["-b16", "-o", String(0x7c3e), "-e", String(0x3e), tmp.file("stub.img", image)]).stdout;
    expect(dis).toMatch(/int 0x10/);
    expect(dis).toMatch(/int 0x16/);
    expect(dis).toMatch(/int 0x19/);
    // FAT[0] holds the media byte, both FAT copies are the same.
    const fat1 = image.subarray(512, 512 + 9 * 512);
    const fat2 = image.subarray(512 + 9 * 512, 512 + 18 * 512);
    expect([...fat1.subarray(0, 3)]).toEqual([0xf0, 0xff, 0xff]);
    expect(Buffer.compare(fat1, fat2)).toBe(0);
  });
});

describe("FAT16 partitions", () => {
  const sizes: [number, 12 | 16][] = [
    [8400, 12],
    [20 * 2048, 16],
    [130977, 16],
    [270 * 2048, 16],
    [520 * 2048, 16],
  ];
  for (const [sectors, type] of sizes) {
    it(`${sectors} sectors: FAT${type}, fsck.fat clean, mtools reads back`, () => {
      const files: FatFile[] = [
        { path: "LINUX\\LINUXDSK.IMG", data: bytes(300_000, sectors) },
        { path: "LINUX\\LINUXSWP.IMG", data: bytes(70_000, sectors + 1) },
        { path: "CONFIG.SYS", data: new TextEncoder().encode("FILES=20\r\n") },
      ];
      const opts: FatOptions = {
        totalSectors: sectors,
        hiddenSectors: 63,
        heads: 16,
        sectorsPerTrack: 63,
        label: "DOSPART",
        serial: 0xcafef00d,
        time: T,
      };
      const image = makeFat(opts, files);
      expect(image.length).toBe(sectors * 512);
      const g = fatGeometry(opts);
      expect(g.fatType).toBe(type);
      const img = tmp.file(`part-${sectors}.img`, image);
      checkWithTools(img, files);
      const info = run("minfo", ["-i", img, "::"]).stdout;
      expect(info).toMatch(/hidden sectors: 63\b/);
      expect(info).toMatch(/physical drive id: 0x80\b/);
      expect(info).toMatch(/media descriptor byte: 0xf8\b/);
      expect(run("file", [img]).stdout).toMatch(new RegExp(`FAT \\(${type} bit\\)`));
      const vol = readFat(image);
      expect(vol.fatType).toBe(type);
      expect(vol.label).toBe("DOSPART");
      expect(vol.serial).toBe(0xcafef00d);
    });
  }

  it("the npm fatfs package reads the FAT16 volume back", async () => {
    const { createRequire } = await import("node:module");
    const fatfs = createRequire(import.meta.url)("fatfs");
    const files: FatFile[] = [
      { path: "LINUX\\LINUXDSK.IMG", data: bytes(1_000_000, 7) },
      { path: "LINUX\\LINUXSWP.IMG", data: bytes(123_457, 8) },
      { path: "AUTOEXEC.BAT", data: new TextEncoder().encode("@echo off\r\n") },
    ];
    const image = makeFat({ totalSectors: 65536, serial: 7, label: "X", time: T }, files);
    const buf = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
    const driver = {
      sectorSize: 512,
      numSectors: image.length / 512,
      readSectors(i: number, dest: Buffer, cb: (e: Error | null) => void) {
        buf.copy(dest, 0, i * 512, i * 512 + dest.length);
        cb(null);
      },
    };
    const fs = fatfs.createFileSystem(driver, { ro: true });
    await new Promise<void>((res, rej) => {
      fs.on("ready", res);
      fs.on("error", rej);
    });
    const readdir = (p: string) =>
      new Promise<string[]>((res, rej) => fs.readdir(p, (e: Error | null, l: string[]) => (e ? rej(e) : res(l))));
    const readFile = (p: string) =>
      new Promise<Buffer>((res, rej) => fs.readFile(p, (e: Error | null, d: Buffer) => (e ? rej(e) : res(d))));
    expect((await readdir("/")).sort()).toEqual(["AUTOEXEC.BAT", "LINUX"]);
    expect((await readdir("/LINUX")).sort()).toEqual(["LINUXDSK.IMG", "LINUXSWP.IMG"]);
    for (const f of files) expect(sha256(await readFile("/" + f.path.replace(/\\/g, "/")))).toBe(sha256(f.data));
  });
});

describe("reading: readFat and extractSystem", () => {
  it("reads a floppy made by mkfs.fat and mcopy (long names skipped) and takes out the system files", () => {
    const img = tmp.file("dos.img");
    expect(run("mkfs.fat", ["-C", "-n", "DOSDISK", "-i", "0badf00d", img, "1440"]).status).toBe(0);
    const io = bytes(40_000, 11),
      msdos = bytes(30_000, 12),
      command = bytes(50_000, 13);
    const src = [
      ["IO.SYS", io],
      ["MSDOS.SYS", msdos],
      ["readme-long-name.txt", bytes(100, 14)],
      ["COMMAND.COM", command],
    ] as const;
    for (const [name, data] of src) {
      expect(run("mcopy", ["-i", img, tmp.file(`src-${name}`, data), `::${name}`]).status).toBe(0);
    }
    expect(run("mattrib", ["-i", img, "+s", "+h", "+r", "::IO.SYS", "::MSDOS.SYS"]).status).toBe(0);
    const image = new Uint8Array(readFileSync(img));
    const vol = readFat(image);
    expect(vol.label).toBe("DOSDISK");
    expect(vol.serial).toBe(0x0badf00d);
    expect(vol.fatType).toBe(12);
    expect(vol.entries.map((e) => e.path)).toEqual(["IO.SYS", "MSDOS.SYS", "README~1.TXT", "COMMAND.COM"]);

    const sys = extractSystem(image);
    expect(sys.files.map((f) => f.path)).toEqual(["IO.SYS", "MSDOS.SYS", "COMMAND.COM"]);
    expect(sha256(sys.files[0].data)).toBe(sha256(io));
    expect(sha256(sys.files[2].data)).toBe(sha256(command));
    expect(sys.files[0].attributes).toBe(SYS | ATTR_ARCHIVE);

    // "format a: /s" with that DOS: its boot code, our BPB.
    const ours = makeFat({ serial: 0x11223344, label: "BOOT", time: T, bootSector: sys.bootSector }, sys.files);
    expect(Buffer.compare(ours.subarray(0, 3), sys.bootSector.subarray(0, 3))).toBe(0);
    expect(Buffer.compare(ours.subarray(0x3e, 512), sys.bootSector.subarray(0x3e, 512))).toBe(0);
    const oursImg = tmp.file("ours.img", ours);
    checkWithTools(oursImg, sys.files);
    expect(mattrib(oursImg, "IO.SYS")).toBe("ASHR");
    const again = readFat(ours);
    expect(again.entries[0].path).toBe("IO.SYS");
    expect(again.serial).toBe(0x11223344);
  });

  it("round-trips sizes, attributes and times", () => {
    const files = floppyFiles(99);
    const vol = readFat(makeFat({ serial: 5, time: T }, files));
    const byPath = new Map(vol.entries.map((e) => [e.path, e]));
    for (const f of files) {
      const p = f.path.split(/[\\/]/).map(toDosName).join("\\");
      const e = byPath.get(p)!;
      expect(e.size).toBe(f.data.length);
      expect(e.attributes).toBe(f.attributes ?? ATTR_ARCHIVE);
      expect(e.mtime).toBe(f.mtime ?? T);
      expect(sha256(e.data())).toBe(sha256(f.data));
    }
    expect(byPath.get("SUB")!.attributes).toBe(ATTR_DIRECTORY);
  });

  it("refuses damaged images with a clear error", () => {
    const good = makeFat({ serial: 5, time: T }, [
      { path: "A.BIN", data: bytes(3000, 1) },
      { path: "D\\B.BIN", data: bytes(100, 2) },
    ]);
    const damaged = (f: (b: Uint8Array) => void) => {
      const b = good.slice();
      f(b);
      return b;
    };
    expect(() => readFat(good.subarray(0, 100))).toThrow(/no boot sector/);
    expect(() => readFat(good.subarray(0, 100_000))).toThrow(/truncated image/);
    expect(() => readFat(damaged((b) => (b[12] = 0)))).toThrow(/BPB_BytsPerSec/);
    expect(() => readFat(damaged((b) => (b[13] = 3)))).toThrow(/BPB_SecPerClus 3/);
    expect(() => readFat(damaged((b) => (b[16] = 0)))).toThrow(/BPB_NumFATs/);
    expect(() => readFat(damaged((b) => (b[22] = b[23] = 0)))).toThrow(/FAT32 is not supported/);
    expect(() => readFat(good, 1_000_000_000)).toThrow(/no boot sector/);
    // A.BIN occupies clusters 2..7; make cluster 4 point back to 2 (a loop).
    const fatAt = 512;
    const set12 = (b: Uint8Array, n: number, v: number) => {
      const o = fatAt + n + (n >> 1);
      if (n & 1) {
        b[o] = (b[o] & 0x0f) | ((v & 0x0f) << 4);
        b[o + 1] = v >> 4;
      } else {
        b[o] = v & 0xff;
        b[o + 1] = (b[o + 1] & 0xf0) | (v >> 8);
      }
    };
    const loop = damaged((b) => set12(b, 4, 2));
    expect(() =>
      readFat(loop)
        .entries.find((e) => e.path === "A.BIN")!
        .data(),
    ).toThrow(/A\.BIN: the cluster chain loops/);
    const free = damaged((b) => set12(b, 4, 0));
    expect(() =>
      readFat(free)
        .entries.find((e) => e.path === "A.BIN")!
        .data(),
    ).toThrow(/runs into a free cluster/);
    const out = damaged((b) => set12(b, 4, 4000));
    expect(() =>
      readFat(out)
        .entries.find((e) => e.path === "A.BIN")!
        .data(),
    ).toThrow(/cluster 4000 is outside 2\.\.2848/);
    const short = damaged((b) => set12(b, 4, 0xfff));
    expect(() =>
      readFat(short)
        .entries.find((e) => e.path === "A.BIN")!
        .data(),
    ).toThrow(/need 6 clusters but the chain has 3/);
    // The directory D points at itself through "D" in its own cluster: a directory loop.
    const rootAt = 512 * 19;
    const dLoop = damaged((b) => {
      const dCluster = b[rootAt + 32 + 26];
      const sub = (31 + dCluster) * 512;
      b.set(b.subarray(rootAt + 32, rootAt + 64), sub + 64); // a copy of D's entry inside D
    });
    expect(() => readFat(dLoop)).toThrow(/D\\D: cluster 8 also belongs to D \(cross-linked directories\)/);
    expect(() => extractSystem(good)).toThrow(/not a system disk/);
    expect(() => extractSystem(damaged((b) => (b[510] = 0)))).toThrow(/55 AA/);
  });
});

describe("errors name the field and the limit", () => {
  const base = { serial: 1, time: T };
  it("floppy overflow gives the byte counts", () => {
    const files = [{ path: "BIG.BIN", data: new Uint8Array(1_512_448) }];
    expect(() => makeFat(base, files)).toThrow(
      "floppy: the files need 1,512,448 bytes but a 1.44M floppy has 1,457,664 bytes free (54,784 bytes over)",
    );
    const s = fatSpace(base, files);
    expect(s).toEqual({ clusterBytes: 512, totalDataBytes: 1_457_664, usedBytes: 1_512_448, freeBytes: -54_784 });
    expect(fatSpace(base, [{ path: "BIG.BIN", data: new Uint8Array(0), size: 1_512_448 }]).freeBytes).toBe(-54_784);
    expect(() => makeFat({ totalSectors: 20480, ...base }, [{ path: "X", data: new Uint8Array(11 << 20) }])).toThrow(
      /^partition: the files need 11,534,336 bytes but a 10 MiB FAT16 partition has 10,4\d\d,\d\d\d bytes free/,
    );
  });
  it("root directory, FAT type and size limits", () => {
    const many = Array.from({ length: 113 }, (_, i) => ({ path: `F${i}.TXT`, data: new Uint8Array(0) }));
    expect(() => makeFat({ floppy: "360K", ...base }, many)).toThrow(
      "floppy: the root directory needs 113 entries but a 360K floppy has 112 (BPB_RootEntCnt)",
    );
    expect(() => makeFat({ floppy: "360K", label: "L", ...base }, many.slice(0, 112))).toThrow(/needs 113 entries/);
    expect(() => makeFat({ totalSectors: 2000, fatType: 16, ...base }, [])).toThrow(
      /fatType: FAT16 needs at least 4,085 clusters but 2,000 sectors give/,
    );
    expect(() => makeFat({ totalSectors: 300_000, fatType: 12, ...base }, [])).toThrow(
      /fatType: .* clusters are more than FAT12's 4,084/,
    );
    expect(() => makeFat({ totalSectors: 5_000_000, ...base }, [])).toThrow(
      "totalSectors: 5000000 is outside 64..4,194,144",
    );
    expect(() => makeFat({ floppy: "1.44M", totalSectors: 100, ...base }, [])).toThrow(/either floppy or totalSectors/);
    expect(() => makeFat({ floppy: "1.44M", fatType: 16, ...base }, [])).toThrow(/fatType: a 1.44M floppy is FAT12/);
    expect(() => makeFat({ floppy: "1.7M" as FloppyKind, ...base }, [])).toThrow(/floppy: "1.7M" is not one of/);
    // Largest FAT16: exactly 65,524 clusters of 32 KiB.
    expect(fatGeometry({ totalSectors: FAT16_MAX_SECTORS, ...base }).clusters).toBe(65524);
    expect(() => fatGeometry({ totalSectors: FAT16_MAX_SECTORS + 1, ...base })).toThrow(/outside 64..4,194,144/);
    // A small partition forced to FAT16 takes smaller clusters rather than failing.
    expect(fatGeometry({ totalSectors: 8192, fatType: 16, ...base }).sectorsPerCluster).toBe(1);
  });
  it("names, labels, attributes, times, boot sectors", () => {
    const f = (path: string, extra: Partial<FatFile> = {}) => [{ path, data: new Uint8Array(1), ...extra }];
    expect(() => makeFat(base, f("TOOLONGNAME.TXT"))).toThrow(/"TOOLONGNAME" has 11 characters, more than the 8/);
    expect(() => makeFat(base, f("A\\CON"))).toThrow(/reserved DOS device name/);
    expect(() => makeFat(base, [...f("A.TXT"), ...f("a.txt")])).toThrow(/A\.TXT appears twice/);
    expect(() => makeFat(base, [...f("A"), ...f("A\\B")])).toThrow(/A is a file, not a directory/);
    expect(() => makeFat(base, f("A", { attributes: 0x10 }))).toThrow(/attributes 0x10 has bits outside/);
    expect(() => makeFat(base, f("A", { mtime: 0 }))).toThrow(/mtime of A: year 1970 is outside DOS's 1980..2107/);
    expect(() => makeFat(base, f("A", { size: 5 }))).toThrow(/size 5 differs from its data's 1 bytes/);
    expect(() => makeFat({ ...base, time: 0 }, [])).toThrow(/^time: year 1970/);
    expect(() => makeFat({ ...base, serial: -1 }, [])).toThrow(/serial: -1 is outside/);
    expect(() => makeFat({ ...base, label: "TWELVE CHARS" }, [])).toThrow(/label: "TWELVE CHARS" has 12 characters/);
    expect(() => makeFat({ ...base, label: "A*B" }, [])).toThrow(/label: character '\*'/);
    expect(() => makeFat({ ...base, oemName: "NINECHARS" }, [])).toThrow(/oemName/);
    expect(() => makeFat({ ...base, bootSector: new Uint8Array(100) }, [])).toThrow(
      "bootSector: 100 bytes, a boot sector has 512",
    );
    expect(() => makeFat({ ...base, bootSector: new Uint8Array(512) }, [])).toThrow(/55 AA/);
    expect(() => makeFat({ ...base, heads: 0 }, [])).toThrow(/heads: 0 is outside 1..255/);
  });
});

describe("determinism", () => {
  it("the same inputs give the same bytes, in this process and in another", () => {
    const build = () => makeFat({ floppy: "1.44M", label: "SAME", serial: 42, time: T }, floppyFiles(3), ["X\\Y"]);
    const a = sha256(build());
    expect(sha256(build())).toBe(a);
    const script = `
      import { makeFat } from "${process.cwd()}/src/fs/fat/index.ts";
      import { createHash } from "node:crypto";
      const bytes = (n, seed) => { const o = new Uint8Array(n); let x = seed | 0 || 1; for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; o[i] = x & 255; } return o; };
      const T = ${T};
      const SYS = 7;
      const files = [
        { path: "LRBIO.SYS", data: bytes(3000, 4), attributes: SYS },
        { path: "LRDOS.SYS", data: bytes(9000, 5), attributes: SYS },
        { path: "COMMAND.COM", data: bytes(4100, 6) },
        { path: "AUTOEXEC.BAT", data: new TextEncoder().encode("\\\\loadlin \\\\zImage initrd=\\\\initrdgz.img root=/dev/loop0 ro\\r\\n"), mtime: T + 3600 },
        { path: "EMPTY.TXT", data: new Uint8Array(0) },
        { path: "readme.txt", data: bytes(512, 7), attributes: 0x21 },
        { path: "SUB\\\\DEEP\\\\FILE.BIN", data: bytes(2049, 8) },
        { path: "sub/two.dat", data: bytes(1024, 9), attributes: 2 },
      ];
      const img = makeFat({ floppy: "1.44M", label: "SAME", serial: 42, time: T }, files, ["X\\\\Y"]);
      process.stdout.write(createHash("sha256").update(img).digest("hex"));
    `;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      env: { ...process.env, TZ: "Pacific/Kiritimati" },
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(a);
  });
});

// ---------------------------------------------------------------------------------------------
// Property-based: random trees of files on floppies and partitions.

const NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-!#$%&'()@^`{}~";
const nameArb = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 1, maxLength: 8 }),
    fc.string({ unit: fc.constantFrom(...NAME_CHARS), maxLength: 3 }),
  )
  .map(([b, e]) => (e ? `${b}.${e}` : b))
  .filter((n) => {
    try {
      toDosName(n);
      return true;
    } catch {
      return false;
    }
  });
const dirArb = fc.constantFrom("LINUX", "dos", "A", "B1", "$X");
const fileArb = fc.record({
  dirs: fc.array(dirArb, { maxLength: 3 }),
  name: nameArb,
  size: fc.oneof(
    fc.integer({ min: 0, max: 3000 }),
    fc.integer({ min: 0, max: 70_000 }),
    fc.constantFrom(0, 511, 512, 513, 1024, 2048, 4096),
  ),
  attr: fc.constantFrom(ATTR_ARCHIVE, ATTR_READ_ONLY, ATTR_HIDDEN | ATTR_ARCHIVE, SYS, 0),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

function toFiles(
  specs: { dirs: string[]; name: string; size: number; attr: number; seed: number }[],
): FatFile[] | undefined {
  const files: FatFile[] = [];
  const seen = new Set<string>();
  const dirs = new Set<string>();
  for (const s of specs) {
    const parts = [...s.dirs, s.name].map(toDosName);
    const key = parts.join("\\");
    if (seen.has(key) || dirs.has(key)) continue;
    if (parts.slice(0, -1).some((_, i) => seen.has(parts.slice(0, i + 1).join("\\")))) continue;
    parts.slice(0, -1).forEach((_, i) => dirs.add(parts.slice(0, i + 1).join("\\")));
    seen.add(key);
    files.push({
      path: [...s.dirs, s.name].join(s.seed & 1 ? "/" : "\\"),
      data: bytes(s.size, s.seed),
      attributes: s.attr,
    });
  }
  return files;
}

describe("property: random trees", () => {
  it("floppies: fit and are clean, or fatSpace and makeFat both say they do not fit", () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.array(fileArb, { maxLength: 25 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (kind, specs, serial) => {
          const files = toFiles(specs)!;
          const opts: FatOptions = { floppy: kind, serial, time: T, label: "RND" };
          const space = fatSpace(opts, files);
          if (space.freeBytes < 0) {
            expect(() => makeFat(opts, files)).toThrow(/^floppy: the files need/);
            return;
          }
          const image = makeFat(opts, files);
          const img = tmp.file(`prop-floppy-${n++}.img`, image);
          checkWithTools(img, files);
          const vol = readFat(image);
          expect(vol.serial).toBe(serial);
          expect(vol.entries.filter((e) => !(e.attributes & ATTR_DIRECTORY)).length).toBe(files.length);
        },
      ),
      { numRuns: 15, seed: 20261124 },
    );
  });

  it("partitions: clean at several sizes", () => {
    let n = 0;
    fc.assert(
      fc.property(fc.integer({ min: 4000, max: 160_000 }), fc.array(fileArb, { maxLength: 20 }), (sectors, specs) => {
        const files = toFiles(specs)!;
        const opts: FatOptions = { totalSectors: sectors, hiddenSectors: 63, serial: sectors, time: T };
        const image = makeFat(opts, files);
        const img = tmp.file(`prop-part-${n++}.img`, image);
        checkWithTools(img, files);
      }),
      { numRuns: 8, seed: 4242 },
    );
  });
});
