// LOADLIN 1.6f (Debian's loadlin.exe) on LRDOS, the way its manual describes it: -t -v, @params
// files, -d logfile, failures that return to the prompt, and the HOWTO's line booting Linux.
// Needs a bzImage: images/kernel/bzImage (the kernel recipe's output), or LRDOS_TEST_BZIMAGE.

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { makeFloppy, runV86, runQemu, crlf, kernelImage, loadlinExe, BIOS, VGABIOS, WASM } from "./helpers.ts";
import { startMachine } from "../../emulator/machine.ts";

const kernel = kernelImage();
const loadlin = loadlinExe();
const why = !kernel
  ? "no bzImage: build images/kernel/bzImage or set LRDOS_TEST_BZIMAGE=/path/to/bzImage"
  : !loadlin
    ? "no LOADLIN.EXE: images/debian/LOADLIN.EXE or Debian's loadlin package"
    : "";

// a stand-in for the HOWTO's gzip'd initrd: LOADLIN only copies it to memory
const initrd = new Uint8Array(Math.max(0, Math.min(600_000, 1_440_000 - 120_000 - (kernel?.data.length ?? 0)))).map(
  (_, i) => (i * 2654435761) >>> 24,
);

function floppy(autoexec: string[], extra: { name: string; data: string | Uint8Array }[] = []) {
  return makeFloppy([
    { name: "AUTOEXEC.BAT", data: crlf(autoexec) },
    { name: "LOADLIN.EXE", data: loadlin! },
    { name: "ZIMAGE", data: kernel!.data },
    { name: "INITRDGZ.IMG", data: initrd },
    ...extra,
  ]);
}

describe.skipIf(why !== "")(`LOADLIN on LRDOS${why ? ` (skipped: ${why})` : ""}`, () => {
  it("-t -v reports the kernel and returns to the prompt (v86 and QEMU)", async () => {
    const f = floppy(["\\loadlin -t -v \\zImage initrd=\\initrdgz.img root=/dev/loop0 ro", "echo T51 back in DOS"]);
    for (const r of [
      await runV86({ fda: f, until: /T51 back in DOS[\s\S]*A:\\>/, timeoutMs: 60_000, memoryMB: 64 }),
      await runQemu({ fda: f, until: /T51 back in DOS[\s\S]*A:\\>/, timeoutMs: 60_000, memoryMB: 64 }),
    ]) {
      expect(r.timedOut, r.serial.slice(-1500)).toBe(false);
      expect(r.serial).toMatch(/LOADLIN v1\.6f/);
      expect(r.serial).toMatch(/image file:\s+\\?zimage/i);
      expect(r.serial).toMatch(/kernel version\s+\d+\.\d+/);
      expect(r.serial).toMatch(/LOADLIN started from DOS-prompt/);
      expect(r.serial).toMatch(/Option -t set, Linux not loaded/);
    }
  });

  it("takes its options from an @params file and writes -d logs to a file", async () => {
    const f = floppy(
      [
        "@echo off",
        "loadlin @params.txt",
        "echo T52 after params",
        "loadlin \\zImage -d debug.txt root=/dev/loop0 ro",
        "type debug.txt",
        "echo T53 end",
      ],
      [{ name: "PARAMS.TXT", data: "\\zImage -t -v\r\ninitrd=\\initrdgz.img\r\nroot=/dev/loop0 ro mem=64M\r\n" }],
    );
    const r = await runV86({ fda: f, until: /T53 end[\s\S]*A:\\>/, timeoutMs: 60_000, memoryMB: 64 });
    expect(r.timedOut, r.serial.slice(-1500)).toBe(false);
    const before = r.serial.split("T52 after params")[0];
    expect(before).toMatch(/Option -t set, Linux not loaded/);
    expect(before).toMatch(/initrd=\\initrdgz\.img/);
    expect(before).toMatch(/mem=64M/);
    const log = r.serial.split("T52 after params")[1];
    // the report went to DEBUG.TXT and TYPE shows it
    expect(log).toMatch(/Your current LINUX kernel boot configuration is/);
  });

  it("shows LOADLIN's own message for a missing kernel and comes back to the prompt", async () => {
    const f = floppy(["@echo off", "loadlin \\nokernel root=/dev/loop0", "echo T54 prompt is back"]);
    // LOADLIN asks for another name; an empty line aborts (its manual), typed on COM1
    const r = await runV86({
      fda: f,
      until: /T54 prompt is back[\s\S]*A:\\>/,
      timeoutMs: 60_000,
      memoryMB: 64,
      input: [{ after: /"empty string" to abort:/, text: "\r" }],
    });
    expect(r.timedOut, r.serial.slice(-1500)).toBe(false);
    expect(r.serial).toMatch(/Image file not found/);
  });

  it("boots Linux with the HOWTO's line; LOADLIN reads the floppy quickly", async () => {
    const f = floppy(["\\loadlin \\zImage initrd=\\initrdgz.img root=/dev/loop0 ro console=ttyS0"]);
    const t0 = Date.now();
    const m = await startMachine({
      fda: f,
      memoryMB: 64,
      bios: readFileSync(BIOS),
      vgaBios: readFileSync(VGABIOS),
      wasmPath: WASM,
    });
    const marks: Record<string, number> = {};
    let text = "";
    m.onSerial((c) => {
      text += c;
      const now = Date.now() - t0;
      if (!marks.start && /LOADLIN v1\.6f/.test(text)) marks.start = now;
      if (!marks.read && /Now reading INITRD:[\s\S]*LOADING\.+\r?\n/.test(text)) marks.read = now;
    });
    try {
      await m.waitForSerial(/Linux version \d/, 90_000);
    } finally {
      await m.stop();
    }
    const bytes = kernel!.data.length + initrd.length;
    const ms = marks.read - marks.start;
    console.log(`LOADLIN read ${bytes} bytes (kernel + initrd) from the floppy in ${ms} ms in v86`);
    expect(ms).toBeLessThan(2500);
  });

  it("boots Linux in QEMU", async () => {
    const f = floppy(["\\loadlin \\zImage initrd=\\initrdgz.img root=/dev/loop0 ro console=ttyS0"]);
    const r = await runQemu({ fda: f, until: /Linux version \d/, timeoutMs: 90_000, memoryMB: 64 });
    expect(r.timedOut, r.serial.slice(-1500)).toBe(false);
  });
});
