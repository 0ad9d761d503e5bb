// COMMAND.COM: batch files (@, ECHO, REM, SET/%VAR%, IF, GOTO, %0-%9, SHIFT), internal commands
// and DOS's own messages for bad input, each checked line by line on COM1. Nothing may hang:
// every run ends at the prompt within its timeout.

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { makeFloppy, runV86, runQemu, crlf, DOS, type RunResult } from "./helpers.ts";

const AUTOEXEC = crlf([
  "@echo off",
  "echo T01 echo works",
  "rem T00 a remark prints nothing",
  "set X=abc",
  "echo T02 %X% and 100%%",
  "if %X%==abc echo T03 if string equal",
  "if not %X%==abd echo T04 if not string",
  "if exist COMMAND.COM echo T05 if exist",
  "if not exist NOFILE.XYZ echo T06 if not exist",
  "reloc",
  "if errorlevel 7 echo T07 errorlevel 7",
  "if not errorlevel 8 echo T08 not errorlevel 8",
  "goto skip",
  "echo T99 BAD goto did not jump",
  ":skip",
  "echo T09 after goto",
  "md TESTDIR",
  "copy HELLO.TXT TESTDIR",
  "type TESTDIR\\HELLO.TXT",
  "cd TESTDIR",
  "cd",
  "cd ..",
  "dir HELLO.TXT",
  "ren TESTDIR\\HELLO.TXT BYE.TXT",
  "if exist TESTDIR\\BYE.TXT echo T14 renamed in its own directory",
  "del TESTDIR\\BYE.TXT",
  "rd TESTDIR",
  "if not exist TESTDIR\\BYE.TXT echo T11 deleted",
  "ver",
  "prompt $p$g",
  "break on",
  "set",
  "nosuchprog",
  "badexe",
  "type NOFILE.TXT",
  "cd \\NODIR",
  "copy NOFILE.TXT X.TXT",
  "del NOFILE.TXT",
  "md \\NODIR\\SUB",
  "Q:",
  "set L=" + "Y".repeat(70),
  "reloc %L%%L%",
  "set L=",
  "args one two",
  "echo T99 BAD: a batch started from a batch does not return",
]);
const ARGS = crlf([
  "@echo off",
  "echo T12 %0 %1 %2",
  "shift",
  "echo T13 %1",
  "goto nolabel",
  "echo T99 BAD after missing label",
]);

function floppy(): Uint8Array {
  return makeFloppy([
    { name: "AUTOEXEC.BAT", data: AUTOEXEC },
    { name: "ARGS.BAT", data: ARGS },
    { name: "HELLO.TXT", data: "T10 type works\r\n" },
    { name: "RELOC.EXE", data: readFileSync(join(DOS, "tests", "RELOC.EXE")) },
    { name: "BADEXE.EXE", data: readFileSync(join(DOS, "tests", "BADEXE.EXE")) },
  ]);
}

function expectInOrder(lines: string[], wanted: (string | RegExp)[]): void {
  let i = 0;
  for (const w of wanted) {
    const at = lines.findIndex((l, k) => k >= i && (typeof w === "string" ? l.trim() === w : w.test(l)));
    expect(at, `missing ${String(w)} after line ${i}:\n${lines.slice(i).join("\n")}`).toBeGreaterThanOrEqual(0);
    i = at + 1;
  }
}

function checkBatch(r: RunResult): void {
  expect(r.timedOut, r.serial.slice(-1500)).toBe(false);
  const l = r.lines;
  expect(l.filter((x) => x.includes("T99"))).toEqual([]);
  expect(l.filter((x) => x.includes("T00"))).toEqual([]);
  expectInOrder(l, [
    "T01 echo works",
    "T02 abc and 100%",
    "T03 if string equal",
    "T04 if not string",
    "T05 if exist",
    "T06 if not exist",
    "PASS exe: relocation applied",
    "T07 errorlevel 7",
    "T08 not errorlevel 8",
    "T09 after goto",
    /^\s+1 file\(s\) copied/,
    "T10 type works",
    "A:\\TESTDIR",
    / Directory of A:\\$/,
    /^HELLO\s+TXT\s+16 /,
    /^\s+1 file\(s\)\s+16 bytes/,
    /^\s+\d+ bytes free/,
    "T14 renamed in its own directory",
    "T11 deleted",
    "LRDOS Version 1.0",
    "COMSPEC=A:\\COMMAND.COM",
    "PROMPT=$p$g",
    "Bad command or file name",
    "Error in EXE file",
    "File not found",
    "Invalid directory",
    "File not found",
    "File not found",
    "Unable to create directory",
    "Invalid drive specification",
    /^Command line too long/,
    "T12 ARGS one two",
    "T13 two",
    "Label not found",
    /^A:\\>/,
  ]);
}

describe("COMMAND.COM batch files and messages", () => {
  const f = floppy();
  it("runs the scripted AUTOEXEC.BAT in v86", async () => {
    checkBatch(await runV86({ fda: f, until: /Label not found[\s\S]*A:\\>/, timeoutMs: 60_000 }));
  });
  it("runs the scripted AUTOEXEC.BAT in QEMU", async () => {
    checkBatch(await runQemu({ fda: f, until: /Label not found[\s\S]*A:\\>/, timeoutMs: 60_000 }));
  });

  it("takes commands typed on COM1 at the prompt, with line editing", async () => {
    const fl = makeFloppy([{ name: "AUTOEXEC.BAT", data: crlf(["@echo off", "echo READY"]) }]);
    const r = await runV86({
      fda: fl,
      until: /T21 typed[\s\S]*T22 edited[\s\S]*A:\\>\s*$/,
      timeoutMs: 30_000,
      input: [
        { after: /READY[\s\S]*A:\\>/, text: "echo T21 typed\r" },
        // backspaces remove "XY", ESC drops the whole line
        { after: /T21 typed\r?\n[\s\S]*A:\\>/, text: "garbage\x1becho T22 editeXY\x08\x08d\r" },
      ],
    });
    expect(r.timedOut, r.serial.slice(-800)).toBe(false);
    expect(r.lines).toContain("T21 typed");
    expect(r.lines).toContain("T22 edited");
  });
});

describe("typing in QEMU", () => {
  it("takes commands typed on the serial console of qemu -nographic", async () => {
    const fl = makeFloppy([{ name: "AUTOEXEC.BAT", data: crlf(["@echo off", "echo READY"]) }]);
    const r = await runQemu({
      fda: fl,
      until: /T23 typed in qemu[\s\S]*A:\\>/,
      timeoutMs: 30_000,
      input: [{ after: /READY[\s\S]*A:\\>/, text: "echo T23 typed in qemu\r" }],
    });
    expect(r.timedOut, r.serial.slice(-800)).toBe(false);
    expect(r.lines.map((l) => l.trim())).toContain("T23 typed in qemu");
  });
});

describe("bad input never hangs", () => {
  it("boots to the prompt without AUTOEXEC.BAT, showing date and time as DOS does", async () => {
    const r = await runV86({ fda: makeFloppy([]), until: /A:\\>/, timeoutMs: 30_000 });
    expect(r.timedOut, r.serial).toBe(false);
    expect(r.serial).toMatch(/Current date is \w{3} \d\d-\d\d-\d{4}/);
    expect(r.serial).toMatch(/Current time is/);
  });

  it("says so when COMMAND.COM is missing", async () => {
    const fl = makeFloppy([{ name: "LRDOS.SYS", data: readFileSync(join(DOS, "LRDOS.SYS")) }], 1440, { system: false });
    const r = await runV86({ fda: fl, until: /Bad or missing Command Interpreter/, timeoutMs: 30_000 });
    expect(r.timedOut, r.serial).toBe(false);
  });

  it("the boot sector says so when LRDOS.SYS is missing", async () => {
    const fl = makeFloppy([{ name: "COMMAND.COM", data: readFileSync(join(DOS, "COMMAND.COM")) }], 1440, {
      system: false,
    });
    const r = await runV86({ fda: fl, until: /LRDOS\.SYS missing/, timeoutMs: 30_000 });
    expect(r.timedOut, r.serial).toBe(false);
  });

  it("reports a full disk on COPY and removes the partial copy", async () => {
    // a 360 KB floppy nearly filled by one file: a second copy cannot fit
    const big = new Uint8Array(200 * 1024).fill(0x41);
    const fl = makeFloppy(
      [
        {
          name: "AUTOEXEC.BAT",
          data: crlf([
            "@echo off",
            "copy BIG.DAT BIG2.DAT",
            "if not exist BIG2.DAT echo T31 partial copy removed",
            "dir",
          ]),
        },
        { name: "BIG.DAT", data: big },
      ],
      360,
    );
    const r = await runV86({ fda: fl, until: /bytes free[\s\S]*A:\\>/, timeoutMs: 30_000 });
    expect(r.timedOut, r.serial).toBe(false);
    expectInOrder(r.lines, ["Insufficient disk space", "T31 partial copy removed"]);
  });
});

describe("programs along PATH, wildcards, CONFIG.SYS", () => {
  it("finds .COM/.EXE/.BAT in the current directory and along PATH", async () => {
    const fl = makeFloppy([
      {
        name: "AUTOEXEC.BAT",
        data: crlf([
          "@echo off",
          "reloc",
          "if errorlevel 7 echo T61 found in the root",
          "path A:\\NOPE;A:\\BIN",
          "path",
          "cd \\BIN",
          "cd \\",
          "inbin",
          "echo T99 BAD: a batch along PATH does not return",
        ]),
      },
      { name: "RELOC.EXE", data: readFileSync(join(DOS, "tests", "RELOC.EXE")) },
      {
        name: "BIN/INBIN.BAT",
        data: crlf([
          "@echo off",
          "echo T62 batch from PATH %0",
          "del \\TMP\\*.TXT",
          "if not exist \\TMP\\A.TXT echo T63 wildcard delete",
          "dir \\TMP",
        ]),
      },
      { name: "TMP/A.TXT", data: "a" },
      { name: "TMP/B.TXT", data: "b" },
      { name: "TMP/C.DAT", data: "c" },
    ]);
    const r = await runV86({ fda: fl, until: /bytes free[\s\S]*A:\\>/, timeoutMs: 30_000 });
    expect(r.timedOut, r.serial.slice(-1500)).toBe(false);
    expect(r.lines.filter((x) => x.includes("T99"))).toEqual([]);
    expectInOrder(r.lines, [
      "T61 found in the root",
      "PATH=A:\\NOPE;A:\\BIN",
      "T62 batch from PATH INBIN",
      "T63 wildcard delete",
      /^C\s+DAT\s+1 /,
    ]);
    expect(r.serial).not.toMatch(/^B\s+TXT/m);
  });

  it("SERIAL=OFF in CONFIG.SYS stops the copy to COM1", async () => {
    const fl = makeFloppy([
      { name: "CONFIG.SYS", data: crlf(["SERIAL=OFF"]) },
      { name: "AUTOEXEC.BAT", data: crlf(["@echo off", "echo T71 on screen only"]) },
    ]);
    const r = await runV86({ fda: fl, until: /T71/, timeoutMs: 8_000 });
    // nothing reaches COM1 after the kernel starts: the run times out without the line
    expect(r.timedOut).toBe(true);
    expect(r.serial).not.toMatch(/T71/);
    expect(r.screen!.join("\n")).toMatch(/T71 on screen only/);
  });
});

describe("redirection", () => {
  it("> and >> send a command's output (internal, or a program's INT 21h 09h/40h) to a file; bad targets give DOS's messages", async () => {
    const fl = makeFloppy([
      {
        name: "AUTOEXEC.BAT",
        data: crlf([
          "@echo off",
          "echo T91 first > OUT.TXT",
          "echo T92 second >> OUT.TXT",
          "reloc >> OUT.TXT",
          "type OUT.TXT",
          "echo x > \\NODIR\\F.TXT",
          "type < NOFILE.TXT",
          "echo T93 end",
        ]),
      },
      { name: "RELOC.EXE", data: readFileSync(join(DOS, "tests", "RELOC.EXE")) },
    ]);
    const r = await runQemu({ fda: fl, until: /T93 end[\s\S]*A:\\>/, timeoutMs: 30_000 });
    expect(r.timedOut, r.serial.slice(-1500)).toBe(false);
    expectInOrder(r.lines, [
      "T91 first",
      "T92 second",
      "PASS exe: relocation applied",
      "PASS exe: SS from the header",
      "File creation error",
      "File not found",
      "T93 end",
    ]);
    // only TYPE printed the lines: each appears once
    expect(r.lines.filter((l) => l.trim() === "T91 first").length).toBe(1);
  });
});

describe("CALL", () => {
  it("runs a batch file and comes back to the caller; without CALL a batch does not return", async () => {
    const fl = makeFloppy([
      {
        name: "AUTOEXEC.BAT",
        data: crlf([
          "@echo off",
          "call sub.bat one two",
          "echo T95 back",
          "call sub three",
          "sub four",
          "echo T99 BAD not reached",
        ]),
      },
      { name: "SUB.BAT", data: crlf(["@echo off", "echo T94 in %0 %1 %2"]) },
    ]);
    const r = await runV86({ fda: fl, until: /T94 in SUB four[\s\S]*A:\\>/, timeoutMs: 30_000 });
    expect(r.timedOut, r.serial.slice(-1000)).toBe(false);
    expectInOrder(r.lines, ["T94 in SUB.BAT one two", "T95 back", "T94 in SUB three", "T94 in SUB four"]);
    expect(r.serial).not.toMatch(/T99/);
  });
});
