// Runs the committed static i386 programs (busybox) in tests, on any x86-64 host: directly where the
// kernel has IA32 emulation, through Debian's qemu-i386 (package qemu-user) where it has not
// ("Exec format error"). LOOPROOT_I386=native|qemu forces one way; by default the tests run every way
// this host offers, so CI covers the emulated way even on a host that could run the binaries itself.
import { execFileSync, spawnSync, type ExecFileSyncOptions } from "node:child_process";
import { existsSync } from "node:fs";

export type I386Way = "native" | "qemu";

const QEMU_CANDIDATES = ["/usr/bin/qemu-i386", "/usr/bin/qemu-i386-static"];

export function qemuI386(): string | undefined {
  return QEMU_CANDIDATES.find((p) => existsSync(p));
}

/** Can this host's kernel execute an i386 binary itself? */
export function hostRunsI386(probe: string): boolean {
  // Any exit status will do: only an exec failure (ENOEXEC, "Exec format error") says no.
  const r = spawnSync(probe, ["--help"], { stdio: "ignore" });
  return !r.error;
}

/** The ways to run i386 programs here, forced by LOOPROOT_I386 or probed with `probe`. */
export function i386Ways(probe: string): I386Way[] {
  const forced = process.env.LOOPROOT_I386;
  if (forced === "native" || forced === "qemu") return [forced];
  if (forced) throw new Error(`LOOPROOT_I386=${forced}: expected native or qemu`);
  const ways: I386Way[] = [];
  if (hostRunsI386(probe)) ways.push("native");
  if (qemuI386()) ways.push("qemu");
  if (!ways.length) {
    throw new Error("this host cannot run i386 programs and qemu-i386 is missing: apt-get install qemu-user (scripts/install-deps.sh installs it)");
  }
  return ways;
}

/** The argv that runs `binary args` the given way. */
export function i386Command(way: I386Way, binary: string, args: string[]): [string, string[]] {
  if (way === "native") return [binary, args];
  const qemu = qemuI386();
  if (!qemu) throw new Error("qemu-i386 is missing: apt-get install qemu-user");
  return [qemu, [binary, ...args]];
}

export function runI386(way: I386Way, binary: string, args: string[], opts: ExecFileSyncOptions & { encoding: "utf8" }): string {
  const [cmd, argv] = i386Command(way, binary, args);
  return execFileSync(cmd, argv, opts) as string;
}
