// FAT images changed in place (issue 26): editFat and editFatDisk add, replace and delete files
// and folders in an existing FAT12/16 volume (ours, or one mkfs.fat and mcopy made with long
// names), and fsck.fat -n and mtools read the result; files not named keep their clusters.
import { describe, it, expect, afterAll } from "vitest";
import { writeFileSync, readFileSync } from "node:fs";
import { makeFatFloppy, makeFatDisk, editFat, editFatDisk, readFat, readMbr } from "../../src/fs/index.ts";
import { LooprootError } from "../../src/index.ts";
import { tempDir, run, fsckFat, mtoolsList, mtype, bytes } from "./fat-oracles.ts";

const tmp = tempDir("library-fatedit");
afterAll(() => tmp.cleanup());
const enc = (s: string) => new TextEncoder().encode(s);
/** Where a file's bytes are in the image (its clusters are contiguous in a fresh image). */
const where = (img: Uint8Array, data: Uint8Array) =>
  Buffer.from(img.buffer, img.byteOffset, img.length).indexOf(Buffer.from(data));

function floppy(): Uint8Array {
  return makeFatFloppy({
    files: [
      { path: "A.TXT", data: enc("first\r\n") },
      { path: "KEEP.BIN", data: bytes(30_000, 1) },
      { path: "DIR1/B.TXT", data: enc("b\r\n") },
      { path: "DIR1/SUB/C.TXT", data: enc("c\r\n") },
      { path: "BIG.BIN", data: bytes(100_000, 2) },
    ],
    label: "EDITME",
  });
}

describe("editFat", () => {
  it("adds, replaces and deletes files and folders; fsck.fat -n is clean and mtools reads the result", () => {
    const img = floppy();
    const keepBefore = where(img, bytes(30_000, 1));
    expect(keepBefore).toBeGreaterThan(0);
    const many = Array.from({ length: 40 }, (_, i) => ({ path: `MANY/F${i}.TXT`, data: enc(`file ${i}\r\n`) }));
    editFat(img, {
      remove: ["DIR1", "BIG.BIN"],
      mkdir: ["X/Y"],
      put: [
        { path: "A.TXT", data: bytes(5000, 3) },
        { path: "NEW/NEW.TXT", data: enc("new\r\n") },
        { path: "EMPTY", data: new Uint8Array(0) },
        ...many,
      ],
    });
    const f = tmp.file("edited.img", img);
    const fsck = fsckFat(f);
    expect(fsck.ok, fsck.output).toBe(true);
    expect(mtoolsList(f).sort()).toEqual(
      ["A.TXT", "EMPTY", "KEEP.BIN", "MANY/", ...many.map((m) => m.path), "NEW/", "NEW/NEW.TXT", "X/", "X/Y/"].sort(),
    );
    expect(Buffer.compare(mtype(f, "A.TXT"), Buffer.from(bytes(5000, 3)))).toBe(0);
    expect(mtype(f, "NEW/NEW.TXT").toString()).toBe("new\r\n");
    expect(mtype(f, "MANY/F39.TXT").toString()).toBe("file 39\r\n");
    expect(Buffer.compare(mtype(f, "KEEP.BIN"), Buffer.from(bytes(30_000, 1)))).toBe(0);
    // KEEP.BIN was not named: its bytes are where they were.
    expect(where(img, bytes(30_000, 1))).toBe(keepBefore);
    expect(
      readFat(img)
        .entries.find((e) => e.path === "KEEP.BIN")!
        .data(),
    ).toEqual(bytes(30_000, 1));
    // mtools' own label read: the boot sector and the root's label entry were left alone.
    expect(run("mlabel", ["-s", "-i", f, "::"]).stdout).toContain("EDITME");
  });

  it("edits a volume mkfs.fat and mcopy made, removing a long name with its entries", () => {
    const f = tmp.file("mtools.img");
    expect(run("mkfs.fat", ["-C", "-n", "THEIRS", f, "1440"]).status).toBe(0);
    writeFileSync(tmp.file("Long File Name.txt"), "long\n");
    writeFileSync(tmp.file("short.txt"), "short\n");
    expect(run("mcopy", ["-i", f, tmp.file("Long File Name.txt"), tmp.file("short.txt"), "::"]).status).toBe(0);
    const img = new Uint8Array(readFileSync(f));
    editFat(img, { remove: ["LONGFI~1.TXT"], put: [{ path: "ADDED.TXT", data: enc("added\r\n") }] });
    writeFileSync(f, img);
    const fsck = fsckFat(f);
    expect(fsck.ok, fsck.output).toBe(true);
    expect(mtoolsList(f).sort()).toEqual(["ADDED.TXT", "short.txt"]);
    expect(mtype(f, "ADDED.TXT").toString()).toBe("added\r\n");
  });

  it("refuses before changing anything: volume full, root directory full, a path not there, a file as a folder", () => {
    const img = floppy();
    const before = img.slice();
    const refuse = (changes: Parameters<typeof editFat>[1], field: string, limit?: number) => {
      let err: unknown;
      try {
        editFat(img, changes);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LooprootError);
      expect((err as LooprootError).field).toBe(field);
      if (limit !== undefined) expect((err as LooprootError).limit).toBe(limit);
      expect(Buffer.compare(img, before)).toBe(0);
    };
    // 30,000 + the small files leave less than 1.4 MB, and the first put lands before the error.
    refuse(
      {
        put: [
          { path: "OK.TXT", data: enc("x") },
          { path: "HUGE.BIN", data: new Uint8Array(1_400_000) },
        ],
      },
      "put[1].data",
    );
    refuse(
      { put: Array.from({ length: 230 }, (_, i) => ({ path: `R${i}`, data: new Uint8Array(0) })) },
      "put[219].path",
      224,
    );
    refuse({ remove: ["NOPE.TXT"] }, "remove[0]");
    refuse({ put: [{ path: "A.TXT/X", data: enc("x") }] }, "put[0].path");
    refuse({ put: [{ path: "A.TXT", data: "text" as never }] }, "put[0].data");
  });
});

describe("editFatDisk", () => {
  it("changes the FAT16 partition of a disk image, which mtools and fsck.fat read at its offset", () => {
    const img = makeFatDisk({ sizeBytes: 20 << 20, files: [{ path: "LINUX/LINUXDSK.IMG", data: bytes(200_000, 4) }] });
    editFatDisk(img, { put: [{ path: "LINUX/NOTE.TXT", data: enc("note\r\n") }], remove: ["LINUX/LINUXDSK.IMG"] });
    const start = readMbr(img)[0].start * 512;
    const part = tmp.file("part.img", img.subarray(start));
    const fsck = fsckFat(part);
    expect(fsck.ok, fsck.output).toBe(true);
    const disk = tmp.file("disk.img", img);
    const dir = run("mdir", ["-/", "-b", "-i", `${disk}@@${start}`, "::"]);
    expect(
      dir.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => l.replace(/^::\//, "")),
    ).toEqual(["LINUX/", "LINUX/NOTE.TXT"]);
  });
});

describe("VFAT long names", () => {
  const long = "a".repeat(100) + ".dat";
  it("makeFatFloppy({ longNames: true }) writes them; mtools reads them back by name and fsck.fat -n is clean", () => {
    const img = makeFatFloppy({
      longNames: true,
      files: [
        { path: "Read Me First.txt", data: enc("read me\r\n") },
        { path: "SHORT.TXT", data: enc("short\r\n") },
        { path: "docs/Long Folder Name/index.html", data: enc("<p>hi</p>") },
        { path: long, data: bytes(2000, 5) },
        { path: "Read Me Second.txt", data: enc("second\r\n") },
      ],
    });
    const f = tmp.file("lfn.img", img);
    const fsck = fsckFat(f);
    expect(fsck.ok, fsck.output).toBe(true);
    expect(mtoolsList(f).sort()).toEqual(
      [
        "Read Me First.txt",
        "Read Me Second.txt",
        "SHORT.TXT",
        "docs/",
        "docs/Long Folder Name/",
        "docs/Long Folder Name/index.html",
        long,
      ].sort(),
    );
    expect(mtype(f, "Read Me First.txt").toString()).toBe("read me\r\n");
    expect(mtype(f, "Read Me Second.txt").toString()).toBe("second\r\n");
    expect(mtype(f, "docs/Long Folder Name/index.html").toString()).toBe("<p>hi</p>");
    expect(Buffer.compare(mtype(f, long), Buffer.from(bytes(2000, 5)))).toBe(0);
    // The aliases DOS sees, as Windows 95 would name them: "docs" and "index.html" only change case.
    expect(readFat(img).entries.map((e) => e.path)).toEqual([
      "SHORT.TXT",
      "README~1.TXT",
      "DOCS",
      "AAAAAA~1.DAT",
      "README~2.TXT",
      "DOCS\\LONGFO~1",
      "DOCS\\LONGFO~1\\INDEX~1.HTM",
    ]);
  });

  it("editFat({ longNames: true }) adds, finds by long name and deletes with the long-name entries", () => {
    const img = makeFatFloppy({
      longNames: true,
      files: [
        { path: "Read Me First.txt", data: enc("1\r\n") },
        { path: "Keep This One.txt", data: enc("k\r\n") },
      ],
    });
    editFat(img, {
      longNames: true,
      remove: ["read me first.txt"],
      put: [
        { path: "Keep This One.txt", data: enc("replaced\r\n") },
        { path: "New Folder/New File.md", data: enc("# new\n") },
      ],
    });
    const f = tmp.file("lfn-edit.img", img);
    const fsck = fsckFat(f);
    expect(fsck.ok, fsck.output).toBe(true);
    expect(mtoolsList(f).sort()).toEqual(["Keep This One.txt", "New Folder/", "New Folder/New File.md"]);
    expect(mtype(f, "Keep This One.txt").toString()).toBe("replaced\r\n");
  });

  it("without longNames a name that is not 8.3 is refused, naming the file", () => {
    let err: unknown;
    try {
      makeFatFloppy({
        files: [
          { path: "SHORT.TXT", data: enc("x") },
          { path: "Read Me.txt", data: enc("x") },
        ],
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LooprootError);
    expect((err as LooprootError).code).toBe("E_DOS_NAME");
    expect((err as LooprootError).field).toBe("files[1].path");
  });
});
