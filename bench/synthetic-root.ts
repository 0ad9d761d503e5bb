// A synthetic root tarball of a given size for the memory bench and the page's big-root test: the
// busybox root the build makes itself, plus incompressible files (so the .tar.gz is as big as its
// data, the worst case for the upload) and many small ones (so the tree has many entries).
import { writeFileSync } from "node:fs";
import { gzipSync, constants } from "node:zlib";
import { defaultConfig } from "../src/config.ts";
import { busyboxRootTree } from "../src/howto/rootdev.ts";
import { writeTar } from "../src/fs/tar.ts";
import type { Ingredients } from "../src/ingredients.ts";
import type { Tree, TreeEntry } from "../src/fs/tree.ts";

const MiB = 1048576;

/** Deterministic bytes that do not compress: xorshift32 seeded from the name. */
function noise(n: number, seed: string): Uint8Array {
  let x = 0x9e3779b9;
  for (let i = 0; i < seed.length; i++) x = Math.imul(x ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  const words = new Uint32Array(Math.ceil(n / 4));
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return new Uint8Array(words.buffer, 0, n);
}

/** Writes the .tar.gz to path; returns its size and the data bytes of its files. */
export function writeSyntheticRoot(
  path: string,
  dataMiB: number,
  ing: Pick<Ingredients, "busyboxRoot" | "rootApplets">,
): { bytes: number; dataBytes: number } {
  // A user's root has its own rc: the built-in one's HOWTO lines (swapon /dev/loop1 among them) are
  // what the build's wrapper init runs before it, and would fail run twice.
  const rc = new TextEncoder().encode("#!/bin/sh\nexport PATH=/sbin:/bin:/usr/sbin:/usr/bin\nhostname bigroot\n");
  const base = busyboxRootTree(defaultConfig(), ing).map((e) =>
    e.path === "/etc/init.d/rcS" ? { ...e, data: rc } : e,
  );
  const at = (p: string, kind: "dir" | "file", data?: Uint8Array): TreeEntry => ({
    path: p,
    kind,
    mode: kind === "dir" ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    mtime: 0,
    data,
  });
  const extra: Tree = [at("/data", "dir"), at("/data/big", "dir"), at("/data/small", "dir")];
  // A sixth of the data as 4 KiB files (dataMiB * 256 / 6 of them), the rest as 8 MiB ones.
  const small = Math.floor((dataMiB * MiB) / 6 / 4096);
  for (let i = 0; i < small; i++) {
    if (i % 1000 === 0) extra.push(at(`/data/small/${i / 1000}`, "dir"));
    extra.push(at(`/data/small/${Math.floor(i / 1000)}/f${i}`, "file", noise(4096, `s${i}`)));
  }
  let left = dataMiB * MiB - small * 4096;
  for (let i = 0; left > 0; i++, left -= 8 * MiB)
    extra.push(at(`/data/big/b${i}`, "file", noise(Math.min(left, 8 * MiB), `b${i}`)));
  const tree = [...base, ...extra];
  const gz = gzipSync(writeTar(tree), { level: 1, memLevel: constants.Z_DEFAULT_MEMLEVEL });
  writeFileSync(path, gz);
  return { bytes: gz.length, dataBytes: tree.reduce((n, e) => n + (e.kind === "file" ? e.data!.length : 0), 0) };
}
