// The Debian 12 root tarballs of issues 10 and 24 (scripts/debian-root.sh: debootstrap i386 minbase
// once, then systemd, sysvinit, OpenRC or runit installed on a copy of it, each packed with
// `tar -czf`), made once for every test that needs them: the CLI boot tests and the page's test
// call this, and the tarballs are kept in one temp folder, so debootstrap runs once per CI run (a
// fresh machine) and not at all on a second run here. A lock keeps two test files that start
// together from running debootstrap twice.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The Debian tests run where debootstrap can (root, Debian's mirror): in CI, or when asked. */
export const debianRootEnabled = process.env.LOOPROOT_DEBIAN_ROOT === "1" || process.env.CI === "true";

/** The inits scripts/debian-root.sh installs; systemd is Debian's default. */
export const DEBIAN_INITS = ["systemd", "sysvinit", "openrc", "runit"] as const;
export type DebianInit = (typeof DEBIAN_INITS)[number];

/**
 * `looproot build --set`s for these roots: the largest (systemd, 230 MiB unpacked, 7,800 entries)
 * with room for the rc's and the journal's writes; 128 MiB of memory, as Debian asks for systemd.
 */
export const DEBIAN_SETS = ["root.sizeMiB=320", "disk.sizeMiB=352", "machine.memoryMiB=128"];

/** Where a shared tarball lives (the foreign way, LOOPROOT_DEBOOTSTRAP_FOREIGN=1, has its own). */
export const debianRootPath = (init: DebianInit = "sysvinit") =>
  join(
    tmpdir(),
    "looproot-debian-root",
    `debian12-i386-${init}${process.env.LOOPROOT_DEBOOTSTRAP_FOREIGN === "1" ? "-foreign" : ""}.tar.gz`,
  );

/** Makes the tarball unless it is there; returns its path and what the script said (its last lines). */
export function debianRootTarball(init: DebianInit = "sysvinit"): { path: string; said: string } {
  const path = debianRootPath(init);
  mkdirSync(dirname(path), { recursive: true });
  const r = spawnSync(
    "flock",
    [join(dirname(path), ".lock"), "bash", join(REPO, "scripts/debian-root.sh"), init, path],
    { encoding: "utf8", timeout: 1_500_000, cwd: REPO },
  );
  if (r.status !== 0)
    throw new Error(`scripts/debian-root.sh ${init} failed (exit ${r.status}):\n${(r.stderr ?? "").slice(-3000)}`);
  const lines = r.stdout.trim().split("\n");
  if (lines[lines.length - 1] !== path)
    throw new Error(`scripts/debian-root.sh: expected ${path} on its last line, got:\n${r.stdout.slice(-1000)}`);
  return { path, said: lines.slice(-2, -1)[0] ?? "" };
}
