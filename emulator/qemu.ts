// QEMU (qemu-system-i386, TCG) as a boot engine in Node: the same images, SeaBIOS and serial
// console as v86, so the two can be compared on one run. SeaBIOS's own messages come from its
// debug port (0x402), standing in for the screen that QEMU shows no one here.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Engine, MachineImages } from "./engine.ts";

export function startQemu(images: MachineImages): Engine {
  const dir = mkdtempSync(join(tmpdir(), "looproot-qemu-"));
  const fda = join(dir, "floppy.img");
  writeFileSync(fda, images.floppy);
  writeFileSync(join(dir, "bios.bin"), images.bios);
  writeFileSync(join(dir, "vgabios-stdvga.bin"), images.vgaBios);
  const args = [
    "-L", dir, "-bios", "bios.bin",
    "-m", String(images.memoryMiB),
    "-drive", `file=${fda},if=floppy,format=raw,index=0`,
    "-boot", "a",
    "-display", "none", "-vga", "std",
    "-serial", "stdio", "-monitor", "none",
    "-chardev", `file,id=biosdbg,path=${join(dir, "bios.log")}`, "-device", "isa-debugcon,iobase=0x402,chardev=biosdbg",
    "-no-reboot", "-nodefaults",
  ];
  if (images.diskFile) {
    // The user's own file, written by the guest as a real disk would be (no snapshot, no copy).
    args.push("-drive", `file=${images.diskFile},if=ide,format=raw,index=0,media=disk`);
  } else if (images.disk) {
    const hda = join(dir, "disk.img");
    writeFileSync(hda, images.disk);
    args.push("-drive", `file=${hda},if=ide,format=raw,index=0,media=disk`);
  }
  const child: ChildProcess = spawn("qemu-system-i386", args, { stdio: ["pipe", "pipe", "pipe"] });
  const listeners: ((t: string) => void)[] = [];
  let stderr = "";
  child.stdout!.setEncoding("latin1");
  child.stdout!.on("data", (t: string) => listeners.forEach((cb) => cb(t)));
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  let exited = false;
  let stopping = false;
  // "close" also follows a failed spawn (no "exit" then), so stop() never waits forever.
  const exit = new Promise<void>((res) => child.on("close", () => { exited = true; res(); }));
  child.on("error", (e) => { stderr += `qemu-system-i386: ${e.message}\n`; });
  // QEMU quitting by itself (bad option, missing file) is told to the harness as the machine's last words.
  exit.then(() => { if (!stopping && stderr.trim()) listeners.forEach((cb) => cb("\n" + stderr.trim() + "\n")); });
  return {
    name: "qemu",
    onSerial: (cb) => {
      listeners.push(cb);
      return () => {
        const i = listeners.indexOf(cb);
        if (i >= 0) listeners.splice(i, 1);
      };
    },
    screenRows: () => {
      const log = join(dir, "bios.log");
      return existsSync(log) ? readFileSync(log, "latin1").split("\n") : [];
    },
    sendSerial: (text) => { if (!exited) child.stdin!.write(text); },
    sendKeys: (text) => { if (!exited) child.stdin!.write(text); },
    stop: async () => {
      stopping = true;
      // A disk file the guest writes to gets QEMU's own orderly exit (it flushes the file); SIGKILL after 10 s.
      if (!exited && images.diskFile) {
        child.kill("SIGTERM");
        await Promise.race([exit, new Promise((r) => setTimeout(r, 10_000))]);
      }
      if (!exited) child.kill("SIGKILL");
      await exit;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
