// Runs the committed static i386 programs (busybox) in tests, on any x86-64 host: directly where the
// kernel has IA32 emulation, through Debian's qemu-i386 (package qemu-user) where it has not
// ("Exec format error"). LOOPROOT_I386=native|qemu forces one way; by default the tests run every way
// this host offers, so CI covers the emulated way even on a host that could run the binaries itself.
//
// A host's binfmt_misc registration must not change what the tests see: with qemu-i386 registered
// (flag F, no P), every i386 exec goes through qemu and loses its argv[0], so busybox's standalone
// shell, which runs applets by re-executing itself, finds "applet not found". Where the kernel lets
// a user namespace mount its own binfmt_misc (Linux 6.7+), each program runs in one: empty for the
// native way (the kernel's own i386 loader), and for the emulated way with qemu-i386 registered
// with P (argv[0] kept), so a re-exec is emulated too, on a host with or without IA32 emulation.
import { execFileSync, spawnSync, type ExecFileSyncOptions } from "node:child_process";
import { existsSync, writeFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type I386Way = "native" | "qemu";

const QEMU_CANDIDATES = ["/usr/bin/qemu-i386", "/usr/bin/qemu-i386-static"];

export function qemuI386(): string | undefined {
  return QEMU_CANDIDATES.find((p) => existsSync(p));
}

/** Can this host's kernel execute an i386 binary itself (not through a binfmt_misc handler)? */
export function hostRunsI386(probe: string): boolean {
  // The probe (a busybox) must itself say so: an exec that fails may be retried by a shell as a
  // script (execvp's ENOEXEC fallback), which prints anything but BusyBox's banner.
  const [cmd, argv] = privateBinfmt("empty", probe, ["--help"]);
  const r = spawnSync(cmd, argv, { encoding: "latin1" });
  return !r.error && /BusyBox v\d/.test(`${r.stdout}${r.stderr}`);
}

// The i386 ELF header as qemu's own binfmt registration matches it (ELF32, little-endian, EM_386).
const I386_MAGIC = "\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00";
const I386_MASK =
  "\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff";
const MOUNT = "mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc";

let canPrivate: boolean | undefined;
/** Does this kernel let a user namespace mount a binfmt_misc of its own? */
export function privateBinfmtWorks(): boolean {
  canPrivate ??=
    spawnSync("unshare", ["--user", "--map-root-user", "--mount", "sh", "-c", MOUNT], { stdio: "ignore" }).status === 0;
  return canPrivate;
}

let wrapper: string | undefined;
/** The interpreter registered with P: the kernel passes the binary's path, its argv[0], then its arguments. */
function qemuWrapper(): string {
  const qemu = qemuI386();
  if (!qemu) throw new Error("qemu-i386 is missing: apt-get install qemu-user");
  if (!wrapper) {
    // One file per uid, the same bytes every time (test workers are killed, not exited: a
    // folder per process would pile up); written beside and renamed, so a reader never sees half.
    const text = `#!/bin/sh\nbin=$1; a0=$2; shift 2; exec ${qemu} -0 "$a0" "$bin" "$@"\n`;
    wrapper = join(tmpdir(), `looproot-qemu-i386-P-${process.getuid?.() ?? 0}`);
    const part = `${wrapper}.${process.pid}`;
    writeFileSync(part, text, { mode: 0o755 });
    renameSync(part, wrapper);
  }
  return wrapper;
}

/**
 * `cmd args` to run in a user namespace with a binfmt_misc of its own: "empty" (the host's
 * registrations unseen), or "qemu" (qemu-i386 registered with P). Unchanged where the kernel
 * offers no private binfmt_misc (before Linux 6.7): the host's registration then applies.
 */
export function privateBinfmt(mode: "empty" | "qemu", cmd: string, args: string[]): [string, string[]] {
  if (!privateBinfmtWorks()) return [cmd, args];
  const register =
    mode === "qemu"
      ? ` && printf '%s' ':looproot-i386:M::${I386_MAGIC}:${I386_MASK}:${qemuWrapper()}:P' > /proc/sys/fs/binfmt_misc/register`
      : "";
  return [
    "unshare",
    ["--user", "--map-root-user", "--mount", "sh", "-c", `${MOUNT}${register} && exec "$@"`, "sh", cmd, ...args],
  ];
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
    throw new Error(
      "this host cannot run i386 programs and qemu-i386 is missing: apt-get install qemu-user (scripts/install-deps.sh installs it)",
    );
  }
  return ways;
}

/** The argv that runs `binary args` the given way. */
export function i386Command(way: I386Way, binary: string, args: string[]): [string, string[]] {
  if (way === "native") return privateBinfmt("empty", binary, args);
  const qemu = qemuI386();
  if (!qemu) throw new Error("qemu-i386 is missing: apt-get install qemu-user");
  return privateBinfmt("qemu", qemu, [binary, ...args]);
}

export function runI386(
  way: I386Way,
  binary: string,
  args: string[],
  opts: ExecFileSyncOptions & { encoding: "utf8" },
): string {
  const [cmd, argv] = i386Command(way, binary, args);
  return execFileSync(cmd, argv, opts) as string;
}
