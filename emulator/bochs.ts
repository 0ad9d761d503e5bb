// Bochs 2.7 (Debian's build) as a boot engine in Node, headless. Its parts:
// - COM1 on a pseudo-terminal that util-linux's `script` opens and relays to and from our pipes
//   (Bochs's file mode cannot be written to, and its socket modes would need the network);
// - the display on rfb, the only headless library Debian builds, which listens on 0.0.0.0:5900 and
//   up: Bochs runs in a network namespace of its own (`unshare --net --map-root-user`), so the port
//   is reachable from nowhere and parallel runs never collide;
// - the built-in debugger (its stdout unbuffered by stdbuf, as its prompt ends no line), which
//   stops before the first instruction: `c` on its stdin starts the
//   machine, and the VGA text is read by breaking in (SIGINT), dumping 0xB8000 with `xp`, then `c`.

import { execFileSync, type ChildProcess } from "node:child_process";
import { writeFileSync, readFileSync, existsSync, statSync, openSync, closeSync, write } from "node:fs";
import { join } from "node:path";
import { SerialListeners, type Engine, type MachineImages } from "./engine.ts";
import { makeRunDir, removeRunDir, spawnTied, cpuTime } from "./tied.ts";
import { textRows } from "./qemu.ts";
import { bochsrc, cylinders, bochsDiskFileProblem, CYLINDER_BYTES, ATA_MAX_CYLINDERS } from "./bochs-config.ts";

/** How often the screen is read: each read halts the machine for a moment. */
const SCREEN_POLL_MS = 700;
const TEXT_BYTES = 80 * 25 * 2;
const PROMPT = /<bochs:\d+> $/;

export type BochsEngine = Engine & { readonly pid: number | undefined };

/** The bytes of an `xp /Nbx` dump (lines of "0x...b8000 <bogus+  0>:\t0x4c\t0x07 ..."). */
export function parseXp(text: string): Uint8Array {
  const out: number[] = [];
  for (const line of text.split("\n")) {
    const at = line.indexOf(">:");
    if (at < 0) continue;
    for (const m of line.slice(at + 2).matchAll(/0x([0-9a-f]{2})\b/gi)) out.push(parseInt(m[1], 16));
  }
  return Uint8Array.from(out);
}

/** Starts the pty relay; resolves with its process and the pty's path, which it prints first. */
function startPty(dir: string): Promise<{ relay: ChildProcess; tty: string; rest: string }> {
  // Raw and without echo before anything is written, so the guest's bytes pass unchanged both ways.
  const relay = spawnTied(
    "script",
    ["-q", "-e", "-c", "stty raw -echo; tty; exec sleep 2147483647", "/dev/null"],
    dir,
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  relay.stdout!.setEncoding("latin1");
  return new Promise((res, rej) => {
    let got = "";
    const onData = (t: string) => {
      got += t;
      const m = /(\/dev\/pts\/\d+)\r?\n/.exec(got);
      if (!m) return;
      relay.stdout!.off("data", onData);
      res({ relay, tty: m[1], rest: got.slice(m.index + m[0].length) });
    };
    relay.stdout!.on("data", onData);
    relay.on("error", (e) => rej(new Error(`script (util-linux) could not start: ${e.message}`)));
    relay.on("close", () =>
      rej(new Error(`script (util-linux) ended before it named its pty: ${got.trim() || "no output"}`)),
    );
  });
}

export async function startBochs(images: MachineImages): Promise<BochsEngine> {
  const dir = makeRunDir("bochs");
  const floppy = join(dir, "floppy.img");
  writeFileSync(floppy, images.floppy);
  // The disk: the user's file (--persist) as it is, or our copy padded to whole cylinders.
  let disk: { path: string; cylinders: number } | undefined;
  if (images.diskFile) {
    const size = statSync(images.diskFile).size;
    const problem = bochsDiskFileProblem(size);
    if (problem) {
      removeRunDir(dir);
      throw new Error(`${images.diskFile}: ${problem}`);
    }
    disk = { path: images.diskFile, cylinders: cylinders(size) };
  } else if (images.disk) {
    const path = join(dir, "disk.img");
    const c = Math.ceil(images.disk.length / CYLINDER_BYTES);
    const padded = new Uint8Array(c * CYLINDER_BYTES);
    padded.set(images.disk);
    writeFileSync(path, padded);
    disk = { path, cylinders: c };
  }
  if (disk && (disk.cylinders < 1 || disk.cylinders > ATA_MAX_CYLINDERS)) {
    removeRunDir(dir);
    throw new Error(
      `Bochs: the disk has ${disk.cylinders} cylinders of ${CYLINDER_BYTES} bytes; ATA takes 1 to ${ATA_MAX_CYLINDERS}`,
    );
  }
  let pty: Awaited<ReturnType<typeof startPty>>;
  try {
    pty = await startPty(dir);
  } catch (e) {
    removeRunDir(dir);
    throw e;
  }
  const log = join(dir, "bochs.log");
  const rc = join(dir, "bochsrc");
  // Bochs's own BIOS and LGPL VGA BIOS (Debian's bochsbios and vgabios), not the SeaBIOS the
  // other engines share: a second BIOS is part of what a Bochs boot tests.
  writeFileSync(
    rc,
    bochsrc(
      {
        floppy,
        disk,
        serialTty: pty.tty,
        log,
        bios: "/usr/share/bochs/BIOS-bochs-latest",
        vgaBios: "/usr/share/vgabios/vgabios.bin",
      },
      images.memoryMiB,
      images.pc,
    ),
  );

  // The debugger's stdin is a FIFO, not Node's socket pair: Bochs's rfb, with no viewer, send()s
  // its screen updates to descriptor 0, which on a socket fills it and stalls the machine (on a
  // FIFO send() fails with ENOTSOCK and nothing waits).
  const fifo = join(dir, "debugger.fifo");
  execFileSync("mkfifo", ["-m", "600", fifo]);
  const stdin = openSync(fifo, "r+"); // read-write: opening neither blocks nor sees an end of file
  const child = spawnTied("unshare", ["--net", "--map-root-user", "stdbuf", "-o0", "bochs", "-q", "-f", rc], dir, {
    stdio: [stdin, "pipe", "pipe"],
    cwd: dir,
  });
  const debug = (line: string) => {
    if (!exited) write(stdin, line + "\n", () => {});
  };
  const listeners = new SerialListeners();
  const crashListeners: ((m: string) => void)[] = [];
  pty.relay.stdout!.on("data", (t: string) => listeners.emit(t));
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  child.on("error", (e) => {
    stderr += `bochs: ${e.message}\n`;
  });
  let exited = false;
  let stopping = false;
  let exitCode: number | null = null;
  child.on("exit", (code, signal) => {
    exitCode = code ?? (signal ? 128 : null);
  });
  const exit = new Promise<void>((res) =>
    child.on("close", () => {
      exited = true;
      res();
    }),
  );
  const relayExit = new Promise<void>((res) => pty.relay.on("close", () => res()));
  // `exit` and `prompt()` only ever resolve: nothing to catch.
  void exit.then(() => {
    if (stopping) return;
    const logTail = existsSync(log)
      ? readFileSync(log, "latin1")
          .split("\n")
          .filter((l) => /\[(PANIC|ERROR)|FATAL|\] >>PANIC/.test(l))
          .slice(-3)
      : [];
    const why = [
      ...logTail,
      ...stderr
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("ALSA"))
        .slice(-2),
    ].join(" / ");
    crashListeners.forEach((cb) => cb(`bochs exited (code ${exitCode ?? "?"}): ${why || "no message"}`));
  });

  // The debugger: everything it prints, and a queue of commands that each wait for the next prompt.
  let out = "";
  let onPrompt: ((text: string) => void) | undefined;
  child.stdout!.setEncoding("latin1");
  child.stdout!.on("data", (t: string) => {
    out += t;
    if (PROMPT.test(out)) {
      const text = out;
      out = "";
      const cb = onPrompt;
      onPrompt = undefined;
      cb?.(text);
    }
  });
  const prompt = () => new Promise<string>((res) => (onPrompt = res));
  const command = (line: string) => {
    const p = prompt();
    debug(line);
    return p;
  };

  let screen: string[] = [];
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  const poll = async () => {
    if (exited || stopping) return;
    const p = prompt();
    child.kill("SIGINT"); // the debugger breaks in and prompts
    await p;
    if (exited || stopping) return;
    const dump = await command(`xp /${TEXT_BYTES}bx 0xb8000`);
    const bytes = parseXp(dump);
    if (bytes.length === TEXT_BYTES) screen = textRows(bytes);
    if (exited || stopping) return;
    debug("c");
    pollTimer = setTimeout(() => void poll(), SCREEN_POLL_MS);
  };
  // The first prompt comes before the first instruction: start the machine there.
  void prompt().then(() => {
    if (exited || stopping) return;
    debug("c");
    pollTimer = setTimeout(() => void poll(), SCREEN_POLL_MS);
  });
  if (pty.rest) queueMicrotask(() => listeners.emit(pty.rest));

  const send = (text: string) => {
    if (!exited) pty.relay.stdin!.write(Buffer.from(text, "latin1"));
  };
  return {
    pid: child.pid,
    name: "bochs",
    onSerial: listeners.add,
    screenRows: () => screen,
    ...(existsSync("/proc/self/stat") ? { ranMs: cpuTime(child.pid) } : {}),
    onCrash: (cb) => {
      crashListeners.push(cb);
    },
    sendSerial: send,
    // The serial console is where the guest reads (LRDOS reads COM1 like the keyboard); Bochs's rfb keyboard is out of reach.
    sendKeys: send,
    stop: async () => {
      if (stopping) {
        await exit;
        return;
      }
      stopping = true;
      if (pollTimer) clearTimeout(pollTimer);
      // Bochs writes the disk file with write(2) as the guest writes, so SIGKILL loses nothing the guest synced.
      if (!exited) child.kill("SIGKILL");
      pty.relay.kill("SIGKILL");
      await exit;
      await relayExit;
      closeSync(stdin);
      removeRunDir(dir);
    },
  };
}
