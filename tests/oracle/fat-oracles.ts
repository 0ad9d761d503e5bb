// Helpers for the FAT, MBR and swap oracle tests: temp files and Debian's tools.

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";

export function tempDir(tag: string): {
  dir: string;
  file: (name: string, data?: Uint8Array) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), `looproot-${tag}-`));
  return {
    dir,
    file: (name, data) => {
      const p = join(dir, name);
      if (data) writeFileSync(p, data);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  raw: Buffer;
}

export function run(cmd: string, args: string[], input?: Uint8Array): RunResult {
  const r = spawnSync(cmd, args, {
    input,
    env: { ...process.env, MTOOLS_SKIP_CHECK: "1", LC_ALL: "C" },
    maxBuffer: 1 << 30,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout.toString("latin1"), stderr: r.stderr.toString(), raw: r.stdout };
}

/** fsck.fat -n: exit 0 and nothing but its banner and the summary line. */
export function fsckFat(path: string): { ok: boolean; output: string } {
  const r = run("fsck.fat", ["-n", path]);
  const lines = (r.stdout + r.stderr).trim().split("\n");
  const ok =
    r.status === 0 &&
    lines.length === 2 &&
    /^fsck\.fat /.test(lines[0]) &&
    /: \d+ files, \d+\/\d+ clusters$/.test(lines[1]);
  return { ok, output: r.stdout + r.stderr };
}

/** mtools' view of every path on the volume: "A/B.TXT", directories with a trailing "/". */
export function mtoolsList(img: string): string[] {
  const r = run("mdir", ["-/", "-b", "-a", "-i", img, "::"]);
  // An empty volume: mdir -b has nothing to list and says so.
  if (r.status !== 0 && /File "::" not found/.test(r.stderr)) return [];
  if (r.status !== 0) throw new Error(`mdir failed: ${r.stderr}`);
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => l.replace(/^::\//, ""));
}

export function mtype(img: string, path: string): Buffer {
  const r = run("mtype", ["-i", img, `::/${path.replace(/\\/g, "/")}`]);
  if (r.status !== 0) throw new Error(`mtype ${path} failed: ${r.stderr}`);
  return r.raw;
}

/** mattrib letters for a path: "A", "SHR", ... */
export function mattrib(img: string, path: string): string {
  const r = run("mattrib", ["-i", img, `::/${path.replace(/\\/g, "/")}`]);
  if (r.status !== 0) throw new Error(`mattrib ${path} failed: ${r.stderr}`);
  return r.stdout.slice(0, r.stdout.indexOf("::")).replace(/\s+/g, "");
}

export function attrLetters(attr: number): string {
  return (attr & 0x20 ? "A" : "") + (attr & 0x04 ? "S" : "") + (attr & 0x02 ? "H" : "") + (attr & 0x01 ? "R" : "");
}

export function sha256(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

/** Deterministic pseudo-random bytes (xorshift), so test data is reproducible. */
export function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
