// The LRDOS API suite: small DOS programs (images/dos/src/tests/*.asm) that print one PASS or
// FAIL line per documented DOS behaviour. The same floppy boots in v86 and in QEMU; every line
// is checked, and the floppy must still pass fsck.fat afterwards.

import { describe, it, expect } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync, spawn } from "node:child_process";
import { makeFloppy, dosTestPrograms, runV86, runQemu, crlf, tempDir, type RunResult } from "./helpers.ts";

const AUTOEXEC = crlf(["@echo off", "apifile", "apimem ARG1 ARG2", "apimisc", "apiexec", "echo ALLDONE"]);
// checks each program prints (child and exe lines come from the programs APIEXEC runs)
const EXPECTED: Record<string, number> = { APIFILE: 42, APIMEM: 18, APIMISC: 37, APIEXEC: 20 };

function check(r: RunResult): void {
  expect(r.timedOut, r.serial.slice(-2000)).toBe(false);
  const results = r.lines.map((l) => l.trim()).filter((l) => /^(PASS|FAIL) /.test(l));
  const failures = results.filter((l) => l.startsWith("FAIL"));
  expect(failures).toEqual([]);
  // every program ran to its end and printed all its checks
  let section = "APIFILE";
  const counts: Record<string, number> = {};
  for (const raw of r.lines) {
    const l = raw.trim();
    const done = /^DONE (\w+)/.exec(l);
    if (done) {
      expect(done[1]).toBe(section);
      section = { APIFILE: "APIMEM", APIMEM: "APIMISC", APIMISC: "APIEXEC", APIEXEC: "" }[section] ?? "";
      continue;
    }
    if (/^PASS /.test(l) && section) counts[section] = (counts[section] ?? 0) + 1;
  }
  expect(counts).toEqual(EXPECTED);
  expect(r.lines.some((l) => l.trim() === "ALLDONE")).toBe(true);
}

describe("LRDOS API suite", () => {
  const floppy = makeFloppy([{ name: "AUTOEXEC.BAT", data: AUTOEXEC }, ...dosTestPrograms()]);

  it("passes every check in v86", async () => {
    const r = await runV86({ fda: floppy, until: /ALLDONE[\s\S]*A:\\>/, timeoutMs: 60_000 });
    check(r);
  });

  it("passes every check in QEMU (-nographic)", async () => {
    const r = await runQemu({ fda: floppy, until: /ALLDONE[\s\S]*A:\\>/, timeoutMs: 60_000 });
    check(r);
  });

  it("leaves a floppy that fsck.fat accepts, twice in a row", async () => {
    // run in QEMU on a file so the writes can be inspected
    const { dir, cleanup } = tempDir();
    try {
      const img = join(dir, "f.img");
      writeFileSync(img, floppy);
      const run = () =>
        new Promise<string>((resolve) => {
          let out = "";
          const child = require_spawn(img);
          child.stdout.on("data", (d: Buffer) => {
            out += d.toString("latin1");
            if (/ALLDONE[\s\S]*A:\\>/.test(out)) child.kill("SIGKILL");
          });
          child.on("exit", () => resolve(out));
          setTimeout(() => child.kill("SIGKILL"), 60_000);
        });
      for (let i = 0; i < 2; i++) {
        const out = await run();
        expect(out).toContain("ALLDONE");
        expect(out).not.toMatch(/FAIL /);
        const fsck = execFileSync("fsck.fat", ["-n", img], { encoding: "latin1" });
        expect(fsck).toMatch(/files, \d+\/\d+ clusters/);
        expect(fsck.split("\n").filter((l) => l.trim()).length).toBe(2);
      }
    } finally {
      cleanup();
    }
  });
});

function require_spawn(img: string) {
  return spawn(
    "qemu-system-i386",
    [
      "-nographic",
      "-no-reboot",
      "-m",
      "32",
      "-monitor",
      "none",
      "-drive",
      `file=${img},if=floppy,format=raw`,
      "-boot",
      "a",
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}
