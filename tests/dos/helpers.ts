// Test helpers for LRDOS: floppies and hard disks built with Debian's tools (mkfs.fat, sfdisk,
// mcopy), our boot sector laid over the BPB mkfs.fat wrote, and runs in v86 and QEMU that
// collect what the guest writes to COM1.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMachine } from "../../emulator/machine.ts";

export const ROOT = join(import.meta.dirname, "..", "..");
export const DOS = join(ROOT, "images", "dos");
// The committed SeaBIOS (images/debian, from the pinned seabios package), as the app and the CLI use.
export const BIOS = join(ROOT, "images", "debian", "bios.bin");
export const VGABIOS = join(ROOT, "images", "debian", "vgabios-stdvga.bin");
export const WASM = join(ROOT, "node_modules", "v86", "build", "v86.wasm");

const env = { ...process.env, MTOOLS_SKIP_CHECK: "1", LC_ALL: "C" };

export interface GuestFile {
  name: string; // 8.3 name in the root, e.g. "AUTOEXEC.BAT", or "DIR/NAME.EXT"
  data: Uint8Array | string;
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "looproot-dos-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Lays our boot code over a volume's first sector, keeping bytes 03h..3Dh (the BPB). */
export function installBoot(img: Buffer, offset = 0): void {
  const boot = readFileSync(join(DOS, "boot12.bin"));
  boot.copy(img, offset, 0, 3);
  boot.copy(img, offset + 0x3e, 0x3e, 0x200);
}

function mcopyAll(dir: string, imgArg: string, files: GuestFile[], system = true): void {
  const put = (name: string, data: Uint8Array | string) => {
    const p = join(dir, "f_" + name.replace(/[\\/]/g, "_"));
    writeFileSync(p, typeof data === "string" ? Buffer.from(data, "latin1") : data);
    const parts = name.split("/");
    if (parts.length > 1) {
      try {
        execFileSync("mmd", ["-i", imgArg, "::" + parts.slice(0, -1).join("/")], { env, stdio: "ignore" });
      } catch {
        /* exists */
      }
    }
    execFileSync("mcopy", ["-o", "-i", imgArg, p, "::" + name], { env });
  };
  if (system) {
    put("LRDOS.SYS", readFileSync(join(DOS, "LRDOS.SYS")));
    put("COMMAND.COM", readFileSync(join(DOS, "COMMAND.COM")));
  }
  for (const f of files) put(f.name, f.data);
}

/** A bootable FAT12 floppy of `kb` KB (360, 720, 1200, 1440, 2880) holding LRDOS and `files`. */
export function makeFloppy(files: GuestFile[], kb = 1440, opts: { system?: boolean } = {}): Uint8Array {
  const { dir, cleanup } = tempDir();
  try {
    const img = join(dir, "floppy.img");
    execFileSync("mkfs.fat", ["-C", img, String(kb)], { env, stdio: "ignore" });
    const b = readFileSync(img);
    installBoot(b);
    writeFileSync(img, b);
    mcopyAll(dir, img, files, opts.system ?? true);
    return new Uint8Array(readFileSync(img));
  } finally {
    cleanup();
  }
}

/**
 * A hard disk (16 heads, 63 sectors a track, as SeaBIOS reports for small disks) with one FAT16
 * primary partition (type 06) from sector 63, formatted with that geometry and holding `files`.
 * With `bootable`, LRDOS is installed on it.
 */
export function makeHardDisk(files: GuestFile[], mb = 32, opts: { bootable?: boolean } = {}): Uint8Array {
  const { dir, cleanup } = tempDir();
  try {
    const img = join(dir, "disk.img");
    const sectors = mb * 2048;
    writeFileSync(img, Buffer.alloc(sectors * 512));
    execFileSync("sfdisk", ["--no-reread", "--no-tell-kernel", "-q", img], {
      input: "start=63, type=06, bootable\n",
      env,
    });
    const partSectors = sectors - 63;
    const part = join(dir, "part.img");
    execFileSync("mkfs.fat", ["-F", "16", "-h", "63", "-S", "512", "-C", part, String(Math.floor(partSectors / 2))], {
      env,
      stdio: "ignore",
    });
    const p = readFileSync(part);
    // BPB_SecPerTrk, BPB_NumHeads: the BIOS geometry; BS_DrvNum = 80h
    p.writeUInt16LE(63, 0x18);
    p.writeUInt16LE(16, 0x1a);
    p[0x24] = 0x80;
    if (opts.bootable) installBoot(p);
    writeFileSync(part, p);
    mcopyAll(dir, part, files, opts.bootable ?? false);
    const d = readFileSync(img);
    readFileSync(part).copy(d, 63 * 512);
    // boot code of the MBR (the partition table at 1BEh stays)
    if (opts.bootable) readFileSync(join(DOS, "tests", "MBR.BIN")).copy(d, 0, 0, 446);
    return new Uint8Array(d);
  } finally {
    cleanup();
  }
}

export interface RunResult {
  serial: string;
  /** Lines of the serial output, CR and LF removed. */
  lines: string[];
  ms: number;
  timedOut: boolean;
  /** The VGA text rows at the end (v86 runs). */
  screen?: string[];
  /** The disks as the guest left them (QEMU runs). */
  fdaOut?: Uint8Array;
  hdaOut?: Uint8Array;
}

export function linesOf(serial: string): string[] {
  return serial
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "")
    .split(/\r?\n|\r/)
    .map((l) => l.replace(/\r/g, ""));
}

/** Boots in v86 until `until` shows on COM1 (or the timeout), then stops. */
export async function runV86(opts: {
  fda?: Uint8Array;
  hda?: Uint8Array;
  until: RegExp;
  timeoutMs: number;
  memoryMB?: number;
  boot?: "floppy" | "hd";
  input?: { after: RegExp; text: string }[];
}): Promise<RunResult> {
  const t0 = Date.now();
  const m = await startMachine({
    fda: opts.fda,
    hda: opts.hda,
    boot: opts.boot,
    memoryMB: opts.memoryMB ?? 32,
    bios: readFileSync(BIOS),
    vgaBios: readFileSync(VGABIOS),
    wasmPath: WASM,
  });
  let timedOut = false;
  try {
    for (const step of opts.input ?? []) {
      await m.waitForSerial(step.after, opts.timeoutMs);
      m.sendSerial(step.text);
    }
    await m.waitForSerial(opts.until, opts.timeoutMs);
  } catch {
    timedOut = true;
  }
  const serial = m.serialText();
  const screen = m.screenRows();
  await m.stop();
  return { serial, lines: linesOf(serial), ms: Date.now() - t0, timedOut, screen };
}

/** Boots in QEMU (-nographic, SeaBIOS mirrors the screen to the serial port) until `until`. */
export async function runQemu(opts: {
  fda?: Uint8Array;
  hda?: Uint8Array;
  until: RegExp;
  timeoutMs: number;
  memoryMB?: number;
  /** Text typed on the serial console once the output matches `after`. */
  input?: { after: RegExp; text: string }[];
}): Promise<RunResult> {
  const { dir, cleanup } = tempDir();
  const args = ["-nographic", "-no-reboot", "-m", String(opts.memoryMB ?? 32), "-monitor", "none"];
  if (opts.fda) {
    writeFileSync(join(dir, "fda.img"), opts.fda);
    args.push("-drive", `file=${join(dir, "fda.img")},if=floppy,format=raw`, "-boot", "a");
  }
  if (opts.hda) {
    writeFileSync(join(dir, "hda.img"), opts.hda);
    args.push("-drive", `file=${join(dir, "hda.img")},if=ide,format=raw`);
    if (!opts.fda) args.push("-boot", "c");
  }
  const t0 = Date.now();
  const child = spawn("qemu-system-i386", args, { stdio: ["pipe", "pipe", "pipe"] });
  let serial = "";
  let timedOut = false;
  const pending = [...(opts.input ?? [])];
  child.stdin.on("error", () => {}); // input still queued when the run ends
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs);
    child.stdout.on("data", (d: Buffer) => {
      serial += d.toString("latin1");
      // typed a few characters at a time: SeaBIOS's serial console moves COM1 input into the
      // 15-key BIOS keyboard buffer, which a burst of pasted text would overflow
      while (pending.length && pending[0].after.test(serial)) {
        const text = pending.shift()!.text;
        for (let i = 0; i < text.length; i += 4) {
          const part = text.slice(i, i + 4);
          setTimeout(() => child.stdin.write(part), (i / 4) * 60);
        }
      }
      if (opts.until.test(serial)) {
        clearTimeout(timer);
        child.kill("SIGKILL");
      }
    });
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const fdaOut = opts.fda ? new Uint8Array(readFileSync(join(dir, "fda.img"))) : undefined;
  const hdaOut = opts.hda ? new Uint8Array(readFileSync(join(dir, "hda.img"))) : undefined;
  cleanup();
  return { serial, lines: linesOf(serial), ms: Date.now() - t0, timedOut, fdaOut, hdaOut };
}

/** fsck.fat -n on a volume inside `image` at byte `offset`: true when it finds nothing to fix. */
export function fsckClean(image: Uint8Array, offset = 0): { ok: boolean; output: string } {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, "vol.img");
    writeFileSync(p, image.subarray(offset));
    try {
      const out = execFileSync("fsck.fat", ["-n", p], { encoding: "latin1", stdio: ["ignore", "pipe", "pipe"] });
      return { ok: out.trim().split("\n").length === 2, output: out };
    } catch (e) {
      return { ok: false, output: String((e as { stdout?: string }).stdout ?? e) };
    }
  } finally {
    cleanup();
  }
}

export function dosTestPrograms(): GuestFile[] {
  const names = ["APIFILE.COM", "APIMEM.COM", "APIMISC.COM", "APIEXEC.COM", "CHILD.COM", "RELOC.EXE", "BADEXE.EXE"];
  return names.map((n) => ({ name: n, data: readFileSync(join(DOS, "tests", n)) }));
}

/** A bzImage for the LOADLIN tests: images/kernel/bzImage when the kernel recipe has run. */
export function kernelImage(): { path: string; data: Uint8Array } | undefined {
  const candidates = [join(ROOT, "images", "kernel", "bzImage"), process.env.LRDOS_TEST_BZIMAGE ?? ""];
  for (const p of candidates) if (p && existsSync(p)) return { path: p, data: new Uint8Array(readFileSync(p)) };
  return undefined;
}

export function loadlinExe(): Uint8Array | undefined {
  const p = join(ROOT, "images", "debian", "LOADLIN.EXE");
  if (existsSync(p)) return new Uint8Array(readFileSync(p));
  return undefined;
}

export const crlf = (lines: string[]) => lines.join("\r\n") + "\r\n";
