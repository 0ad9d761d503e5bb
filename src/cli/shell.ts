// `looproot shell`: boots the images and joins this terminal to the guest's serial console, raw,
// so that a user works in the loop root from their own terminal. Every key goes to the guest
// (Ctrl-C included) except the escape key, Ctrl-], which, like telnet's, is followed by a command
// key: q leaves, Ctrl-] sends a Ctrl-] itself. The session ends when the guest halts; with
// --persist the disk file keeps what the guest wrote.

import { shutdownEnd } from "../howto/protocol.ts";
import { KERNEL_HALTED, shutdownGuest } from "../../emulator/shutdown.ts";
import { loadBios } from "../node/ingredients.ts";
import { loadConfig, type ParsedArgs } from "./args.ts";
import { UsageError } from "./errors.ts";
import { readBootImages, checkBochsDiskFile } from "./boot.ts";
import { startEngine, writeBackDisk, writesInPlace, removeStaleWriteBacks } from "../../emulator/node-engines.ts";
import { machineChoice } from "./machine.ts";
import { describePc } from "../../emulator/pc.ts";
import { defaultConfig } from "../config.ts";
import { safeText } from "../util/safe.ts";
import { knownBuild, checkBootConfig } from "./buildinfo.ts";
import { checkLoopFiles } from "../howto/fromimages.ts";

export const ESCAPE_KEY = 0x1d; // Ctrl-]
export const BANNER_KEYS = "Ctrl-] then q leaves (Ctrl-] Ctrl-] sends Ctrl-]); Ctrl-C goes to the guest";

export interface ShellIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/**
 * Splits what the user typed into bytes for the guest and the escape commands, keeping the
 * escape state across chunks (a terminal may deliver Ctrl-] and q in two reads).
 */
export class EscapeReader {
  private pending = false;
  feed(chunk: Uint8Array): { toGuest: Uint8Array; commands: string[] } {
    const out: number[] = [];
    const commands: string[] = [];
    for (const b of chunk) {
      if (this.pending) {
        this.pending = false;
        if (b === ESCAPE_KEY) out.push(b);
        else commands.push(String.fromCharCode(b).toLowerCase());
      } else if (b === ESCAPE_KEY) this.pending = true;
      else out.push(b);
    }
    return { toGuest: Uint8Array.from(out), commands };
  }
}

/** What a shell session boots: the files, and the config they were built with (as boot finds it). */
export function shellInputs(args: ParsedArgs) {
  machineChoice(args, defaultConfig()); // the engine and PC, checked before any file is read
  const f = args.opts.get("--floppy"),
    d = args.opts.get("--disk");
  if (!f || !d) throw new UsageError("shell needs --floppy FILE and --disk FILE");
  const { floppy, disk } = readBootImages(f, d);
  // The built config (its memory size above all), as boot uses it, not the defaults.
  const known = knownBuild(f, d, floppy, disk);
  const config = loadConfig(args, known.config);
  checkBootConfig(config, known);
  checkLoopFiles(disk, config, { floppy: `--floppy ${f}`, disk: `--disk ${d}` });
  const choice = machineChoice(args, config);
  return { engineName: choice.engine, pc: choice.pc, d, floppy, disk, config: choice.config, from: known.from };
}

export async function shellCommand(
  args: ParsedArgs,
  io: ShellIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const persist = args.flags.has("--persist");
  const { engineName, pc, d, floppy, disk, config, from } = shellInputs(args);
  if (persist && engineName === "bochs") checkBochsDiskFile(d, disk.length);
  // Messages of our own go to stderr with \r\n: the terminal is raw, so \n alone would not return.
  const say = (s: string) => io.stderr.write(`\r\nlooproot shell: ${safeText(s, 1000)}\r\n`);
  removeStaleWriteBacks(d, say);
  say(`the config from ${from}${args.opts.has("--config") || args.sets.length ? ", with --config/--set on top" : ""}.`);
  say(
    `${describePc(engineName, pc, config.machine.memoryMiB)}, ${d}${persist ? " (--persist: the disk keeps the guest's writes)" : " (the disk file stays unchanged)"}.`,
  );
  say(
    `${BANNER_KEYS}; \`poweroff\` at the guest's shell ends the session${persist ? " (so does leaving: the guest is shut down first)" : ""}.`,
  );

  const engine = await startEngine(
    engineName,
    {
      floppy,
      disk,
      diskFile: persist && writesInPlace(engineName) ? d : undefined,
      memoryMiB: config.machine.memoryMiB,
      pc,
      net: args.flags.has("--net"),
      ...loadBios(),
    },
    { copy: false },
  );
  const raw = io.stdin.isTTY === true;
  let end: (why: "halted" | "unclean" | "left" | "signal") => void = () => {};
  const ended = new Promise<"halted" | "unclean" | "left" | "signal">((res) => (end = res));

  // The guest's output, raw; its end of the shutdown decides when the session is over.
  let tail = "";
  engine.onSerial((t) => {
    io.stdout.write(Buffer.from(t, "latin1"));
    tail = (tail + t).slice(-4096);
    const said = shutdownEnd(tail);
    if (said) end(said.clean ? "halted" : "unclean");
    else if (KERNEL_HALTED.test(tail)) end("halted");
  });
  const keys = new EscapeReader();
  const onData = (chunk: Buffer) => {
    const { toGuest, commands } = keys.feed(chunk);
    if (toGuest.length) engine.sendSerial(Buffer.from(toGuest).toString("latin1"));
    for (const c of commands) {
      if (c === "q") end("left");
      else say(BANNER_KEYS);
    }
  };
  const onSignal = () => end("signal");
  if (raw) io.stdin.setRawMode(true);
  io.stdin.on("data", onData);
  io.stdin.resume();
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  let why: Awaited<typeof ended>;
  let clean = false;
  try {
    why = await ended;
    clean = why === "halted";
    // The guest's last lines (init's, then the kernel's) before the machine is switched off.
    if (why === "halted" || why === "unclean") await waitFor(() => KERNEL_HALTED.test(tail), 5_000);
    // Leaving a session whose disk is kept: the guest is shut down first, as `boot --persist` and
    // the page's Shut down and save do (from a login prompt too: see emulator/shutdown.ts).
    if (why === "left" && persist) {
      say("shutting the guest down before its disk is kept…");
      const s = await shutdownGuest(engine, config, { timeoutMs: 120_000 });
      clean = s.status === "clean" || s.status === "halted";
    }
  } finally {
    io.stdin.off("data", onData);
    if (raw) io.stdin.setRawMode(false);
    io.stdin.pause();
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
    await engine.stop();
  }
  if (persist) {
    const how = writeBackDisk(engine, d);
    say(
      `${d}: the guest's writes are kept (${how === "written" ? "written back" : "written in place"})${clean ? "" : ", but the guest was NOT cleanly shut down: use poweroff next time"}.`,
    );
  } else {
    say(`${d} is unchanged (without --persist the guest's writes are dropped).`);
  }
  return why === "unclean" ? 1 : 0;
}

async function waitFor(ok: () => boolean, ms: number): Promise<void> {
  for (const t0 = Date.now(); !ok() && Date.now() - t0 < ms;) await new Promise((r) => setTimeout(r, 50));
}
