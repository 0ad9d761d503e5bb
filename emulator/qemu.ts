// QEMU (qemu-system-i386, TCG) as a boot engine in Node: the same images, SeaBIOS and serial
// console as v86, so the two can be compared on one run. The VGA text screen is read as v86's is:
// QEMU's machine protocol (QMP, on a Unix socket) saves the text buffer at 0xB8000 every SCREEN_POLL_MS, so a
// DOS that writes only to the screen (FreeDOS) is seen too. SeaBIOS's own messages come from its
// debug port (0x402).

import type { ChildProcess } from "node:child_process";
import { createConnection, type Socket } from "node:net";
import { writeFileSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { SerialListeners, type Engine, type MachineImages } from "./engine.ts";
import { qemuNetArgs } from "./net.ts";
import { makeRunDir, removeRunDir, spawnTied, cpuTime } from "./tied.ts";

const SCREEN_POLL_MS = 100;
/** 80x25 characters, each a character byte and an attribute byte. */
const TEXT_BYTES = 80 * 25 * 2;

/** The rows of a VGA text buffer (character, attribute pairs), printable ASCII only. */
export function textRows(buf: Uint8Array, cols = 80): string[] {
  const rows: string[] = [];
  for (let at = 0; at + cols * 2 <= buf.length; at += cols * 2) {
    let row = "";
    for (let c = 0; c < cols; c++) {
      const ch = buf[at + c * 2];
      row += ch >= 0x20 && ch < 0x7f ? String.fromCharCode(ch) : " ";
    }
    rows.push(row.trimEnd());
  }
  return rows;
}

/** QEMU's engine; its process id is there for callers that watch or signal the process. */
export type QemuEngine = Engine & { readonly pid: number | undefined };

/**
 * qemu-system-i386's arguments for one run in `dir` (which holds bios.bin, the VGA BIOS and the
 * floppy): one group per concern, so an option (a network card) is one more push.
 */
export function qemuArgs(images: MachineImages, dir: string, hda: string | undefined): string[] {
  const args = [
    "-L",
    dir,
    "-bios",
    "bios.bin",
    "-m",
    String(images.memoryMiB),
    "-drive",
    `file=${join(dir, "floppy.img")},if=floppy,format=raw,index=0`,
    "-boot",
    "a",
    "-display",
    "none",
    "-vga",
    "std",
    "-serial",
    "stdio",
    "-monitor",
    "none",
    "-qmp",
    `unix:${join(dir, "qmp.sock")},server=on,wait=off`,
    "-chardev",
    `file,id=biosdbg,path=${join(dir, "bios.log")}`,
    "-device",
    "isa-debugcon,iobase=0x402,chardev=biosdbg",
    "-no-reboot",
    "-nodefaults",
    // Paused until the monitor is connected (then "cont"): a fast boot must not run past the DOS
    // and LOADLIN screens before the first screen read.
    "-S",
    ...qemuNetArgs(images.net),
  ];
  // QEMU 7.2 gives each of these machines a floppy controller for an if=floppy drive (q35 and
  // isapc included) and puts an if=ide disk where the machine has its disk: PIIX3 IDE on pc, the
  // legacy ports on isapc, ICH9 AHCI port 0 on q35.
  if (images.pc?.machine) args.push("-M", images.pc.machine);
  if (images.pc?.cpu) args.push("-cpu", images.pc.cpu);
  if (hda) args.push("-drive", `file=${hda},if=ide,format=raw,index=0,media=disk`);
  return args;
}

export function startQemu(images: MachineImages): QemuEngine {
  const dir = makeRunDir("qemu");
  writeFileSync(join(dir, "floppy.img"), images.floppy);
  writeFileSync(join(dir, "bios.bin"), images.bios);
  writeFileSync(join(dir, "vgabios-stdvga.bin"), images.vgaBios);
  // diskFile: the user's own file, written by the guest as a real disk would be (no snapshot, no copy).
  let hda = images.diskFile;
  if (!hda && images.disk) {
    hda = join(dir, "disk.img");
    writeFileSync(hda, images.disk);
  }
  const args = qemuArgs(images, dir, hda);
  args.push(...(images.qemuArgs ?? []));
  // Tied to this process: QEMU is SIGKILLed by the kernel when looproot dies, even by SIGKILL.
  const child: ChildProcess = spawnTied("qemu-system-i386", args, dir, { stdio: ["pipe", "pipe", "pipe"] });
  const listeners = new SerialListeners();
  let stderr = "";
  child.stdout!.setEncoding("latin1");
  child.stdout!.on("data", (t: string) => listeners.emit(t));
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  let exited = false;
  let stopping = false;
  // "close" also follows a failed spawn (no "exit" then), so stop() never waits forever.
  const exit = new Promise<void>((res) =>
    child.on("close", () => {
      exited = true;
      res();
    }),
  );
  child.on("error", (e) => {
    stderr += `qemu-system-i386: ${e.message}\n`;
  });
  // QEMU quitting by itself (bad option, missing file) is told to the harness as the machine's last words.
  // `exit` only ever resolves: nothing to catch.
  void exit.then(() => {
    if (!stopping && stderr.trim()) listeners.emit("\n" + stderr.trim() + "\n");
  });
  const crashListeners: ((m: string) => void)[] = [];
  let exitCode: number | null = null;
  child.on("exit", (code, signal) => {
    exitCode = code ?? (signal ? 128 : null);
  });
  // QEMU ending by itself: its own error, or (code 0, no message) the guest resetting the machine,
  // which -no-reboot turns into an exit (a triple fault, or a reboot).
  void exit.then(() => {
    if (stopping) return;
    const why = stderr.trim().split("\n").slice(-3).join(" / ");
    const msg =
      exitCode === 0 && !why
        ? "qemu-system-i386 stopped: the guest reset the machine (a triple fault or a reboot; -no-reboot ends QEMU there)"
        : `qemu-system-i386 exited (code ${exitCode ?? "?"}): ${why || "no message"}`;
    crashListeners.forEach((cb) => cb(msg));
  });

  // The screen: QMP's `pmemsave` writes the text buffer to a file; its {"return": {}} answer
  // means the file is complete.
  const vga = join(dir, "vga.bin");
  let screen: string[] = [];
  let monitor: Socket | undefined;
  let waiting = false;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  const connect = (tries: number) => {
    if (exited || stopping) return;
    const sock = createConnection(join(dir, "qmp.sock"));
    sock.setEncoding("latin1");
    let pending = "";
    sock.on("error", () => {
      sock.destroy();
      if (monitor) return;
      if (tries > 0) setTimeout(() => connect(tries - 1), 100);
      else
        crashListeners.forEach((cb) =>
          cb("qemu-system-i386 started but its monitor socket never answered (the machine waits paused for it)"),
        );
    });
    sock.on("connect", () => {
      monitor = sock;
      sock.write(JSON.stringify({ execute: "qmp_capabilities" }) + "\n");
      sock.write(JSON.stringify({ execute: "cont", id: "cont" }) + "\n");
      pollTimer = setInterval(() => {
        if (waiting || exited || stopping) return;
        waiting = true;
        sock.write(
          JSON.stringify({
            execute: "pmemsave",
            arguments: { val: 0xb8000, size: TEXT_BYTES, filename: vga },
            id: "screen",
          }) + "\n",
        );
      }, SCREEN_POLL_MS);
    });
    sock.on("data", (t: string) => {
      pending += t;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const l of lines) {
        if (!l.includes('"screen"')) continue; // greetings, events, the capabilities answer
        waiting = false;
        try {
          screen = textRows(new Uint8Array(readFileSync(vga)));
        } catch {
          /* an error answer or no file yet: the next poll tries again */
        }
      }
    });
  };
  connect(600); // up to a minute for QEMU to open its socket on a loaded machine
  return {
    pid: child.pid,
    name: "qemu",
    onSerial: listeners.add,
    screenRows: () => {
      const log = join(dir, "bios.log");
      return [...(existsSync(log) ? readFileSync(log, "latin1").split("\n") : []), ...screen];
    },
    ...(existsSync("/proc/self/stat") ? { ranMs: cpuTime(child.pid) } : {}),
    onCrash: (cb) => {
      crashListeners.push(cb);
    },
    sendSerial: (text) => {
      if (!exited) child.stdin!.write(text);
    },
    sendKeys: (text) => {
      if (!exited) child.stdin!.write(text);
    },
    // QMP's send-key presses the keys together and releases them after its hold time.
    ctrlAltDel: () => {
      if (!exited && monitor)
        monitor.write(
          JSON.stringify({
            execute: "send-key",
            arguments: { keys: ["ctrl", "alt", "delete"].map((k) => ({ type: "qcode", data: k })) },
            id: "keys",
          }) + "\n",
        );
    },
    stop: async () => {
      stopping = true;
      if (pollTimer) clearInterval(pollTimer);
      monitor?.destroy();
      // A disk file the guest writes to gets QEMU's own orderly exit (it flushes the file); SIGKILL after 10 s.
      if (!exited && images.diskFile) {
        child.kill("SIGTERM");
        await Promise.race([exit, new Promise((r) => setTimeout(r, 10_000))]);
      }
      if (!exited) child.kill("SIGKILL");
      await exit;
      removeRunDir(dir);
    },
  };
}
