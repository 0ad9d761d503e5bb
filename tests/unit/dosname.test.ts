import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  toDosName,
  checkDosPath,
  dosName11,
  fromDosName11,
  DOS_ILLEGAL_CHARS,
  DOS_RESERVED_NAMES,
} from "../../src/fs/fat/dosname.ts";

describe("toDosName", () => {
  it("upper-cases valid 8.3 names", () => {
    expect(toDosName("zImage")).toBe("ZIMAGE");
    expect(toDosName("initrdgz.img")).toBe("INITRDGZ.IMG");
    expect(toDosName("loadlin.exe")).toBe("LOADLIN.EXE");
    expect(toDosName("A")).toBe("A");
    expect(toDosName("12345678.123")).toBe("12345678.123");
    expect(toDosName("$X~1.{}")).toBe("$X~1.{}");
    expect(toDosName("FOO.")).toBe("FOO");
    expect(toDosName("con1")).toBe("CON1");
  });
  it("names the offending name and the rule", () => {
    expect(() => toDosName("")).toThrow('DOS name "": the name is empty');
    expect(() => toDosName("linuxdisk.img")).toThrow(
      'DOS name "linuxdisk.img": the name "LINUXDISK" has 9 characters, more than the 8 of an 8.3 name',
    );
    expect(() => toDosName("a.html")).toThrow(/the extension "HTML" has 4 characters, more than the 3/);
    expect(() => toDosName("a.b.c")).toThrow(/more than one dot/);
    expect(() => toDosName(".profile")).toThrow(/the name before the dot is empty/);
    expect(() => toDosName("..")).toThrow(/directory's own entry/);
    expect(() => toDosName(".")).toThrow(/directory's own entry/);
    expect(() => toDosName("my file")).toThrow(/a space is not allowed/);
    expect(() => toDosName("tab\there")).toThrow(/control character 0x09/);
    expect(() => toDosName("caf\u00e9")).toThrow(/not ASCII/);
    for (const ch of DOS_ILLEGAL_CHARS.replace(/[\\/]/g, "")) {
      expect(() => toDosName(`A${ch}B`), ch).toThrow(`character '${ch}' is not allowed`);
    }
    for (const r of DOS_RESERVED_NAMES) {
      expect(() => toDosName(r.toLowerCase()), r).toThrow(`${r} is a reserved DOS device name`);
      expect(() => toDosName(`${r}.TXT`), r).toThrow(/reserved DOS device name/);
    }
  });
  it("DIR_Name bytes round-trip", () => {
    expect(Buffer.from(dosName11("zImage")).toString("latin1")).toBe("ZIMAGE     ");
    expect(Buffer.from(dosName11("a.b")).toString("latin1")).toBe("A       B  ");
    const ok = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-!#$%&'()@^`{}~";
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...ok), minLength: 1, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom(...ok), maxLength: 3 }),
        (b, e) => {
          const n = e ? `${b}.${e}` : b;
          if (DOS_RESERVED_NAMES.includes(b)) return;
          expect(fromDosName11(dosName11(n))).toBe(n);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("checkDosPath", () => {
  it("splits on \\ or / and checks every component", () => {
    expect(checkDosPath("\\LINUX\\LINUXDSK.IMG")).toEqual(["LINUX", "LINUXDSK.IMG"]);
    expect(checkDosPath("linux/linuxswp.img")).toEqual(["LINUX", "LINUXSWP.IMG"]);
    expect(checkDosPath("LRDOS.SYS")).toEqual(["LRDOS.SYS"]);
    expect(() => checkDosPath("")).toThrow(/the path is empty/);
    expect(() => checkDosPath("\\")).toThrow(/the path is empty/);
    expect(() => checkDosPath("LINUX\\\\X")).toThrow(/empty component/);
    expect(() => checkDosPath("LINUX\\")).toThrow(/empty component/);
    expect(() => checkDosPath("C:\\LINUX")).toThrow(/character ':'/);
    expect(() => checkDosPath("LINUX\\..\\X")).toThrow(/"\.\." is the directory's own entry/);
    expect(() => checkDosPath("LINUX\\AUX.IMG")).toThrow(/DOS name "AUX.IMG": AUX is a reserved DOS device name/);
    const deep = Array.from({ length: 8 }, () => "ABCDEFGH").join("\\");
    expect(() => checkDosPath(deep)).toThrow(/has 72 characters, more than DOS's 63/);
  });
});
