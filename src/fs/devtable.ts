// Device tables in the format of genext2fs -D (and busybox makedevs): device nodes, directories
// and ownership described in text, so that building an image needs no root and no mknod.
//
//   #<name>    <type> <mode> <uid> <gid> <major> <minor> <start> <inc> <count>
//   /dev       d      755    0     0     -       -       -       -     -
//   /dev/null  c      666    0     0     1       3       -       -     -
//   /dev/hda   b      640    0     0     3       1       1       1     3    -> hda1 hda2 hda3, minors 1..3
//
// Types: d directory, f regular file (must already be in the tree: sets its mode and owner),
// c character device, b block device, p FIFO, s socket. Mode is octal; "-" means 0.
// With a count, entries name<start> .. name<start+count-1> get minors minor + (i-start)*inc.

import { normalisePath, parentPath, type Tree, type TreeEntry } from "./tree.ts";

export interface DeviceTableLine {
  line: number;
  path: string;
  type: "d" | "f" | "c" | "b" | "p" | "s";
  mode: number;
  uid: number;
  gid: number;
  major: number;
  minor: number;
  start: number;
  inc: number;
  count: number;
}

const MAX_COUNT = 65536;

function fail(line: number, msg: string): never {
  throw new Error(`device table line ${line}: ${msg}`);
}

/** Parses a device table; errors name the line and the field. */
export function parseDeviceTable(text: string): DeviceTableLine[] {
  const out: DeviceTableLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === "" || s.startsWith("#")) return;
    const f = s.split(/\s+/);
    if (f.length !== 10)
      fail(line, `${f.length} fields, expected 10 (name type mode uid gid major minor start inc count)`);
    const num = (idx: number, name: string, max: number, radix = 10): number => {
      const v = f[idx];
      if (v === "-") return 0;
      const ok = radix === 8 ? /^[0-7]+$/.test(v) : /^\d+$/.test(v);
      const n = ok ? parseInt(v, radix) : NaN;
      if (!ok || n > max)
        fail(
          line,
          `${name} "${v}" is not ${radix === 8 ? "an octal number" : "a number"} in 0..${max.toString(radix)}`,
        );
      return n;
    };
    const type = f[1];
    if (!["d", "f", "c", "b", "p", "s"].includes(type)) fail(line, `type "${type}" is not one of d, f, c, b, p, s`);
    let path: string;
    try {
      path = normalisePath(f[0]);
    } catch (e) {
      fail(line, `name "${f[0]}": ${(e as Error).message}`);
    }
    if (!f[0].startsWith("/")) fail(line, `name "${f[0]}" is not an absolute path`);
    const entry: DeviceTableLine = {
      line,
      path,
      type: type as DeviceTableLine["type"],
      mode: num(2, "mode", 0o7777, 8),
      uid: num(3, "uid", 0xffffffff),
      gid: num(4, "gid", 0xffffffff),
      major: num(5, "major", 4095),
      minor: num(6, "minor", 0xfffff),
      start: num(7, "start", 0xffffffff),
      inc: num(8, "inc", 0xfffff),
      count: num(9, "count", MAX_COUNT),
    };
    if (entry.count > 0 && type !== "c" && type !== "b") fail(line, `a count is only allowed for c and b entries`);
    if (entry.count > 0 && entry.minor + (entry.count - 1) * entry.inc > 0xfffff)
      fail(line, `minor numbers run past 1048575`);
    if (path === "/" && type !== "d") fail(line, `/ can only be a directory`);
    out.push(entry);
  });
  return out;
}

/**
 * The tree with the table applied: directories created or re-owned, regular files re-owned,
 * device nodes, FIFOs and sockets created (replacing an entry of the same path). Parents must
 * exist, in the tree or on an earlier line. New entries get `mtime`.
 */
export function applyDeviceTable(tree: Tree, table: string | DeviceTableLine[], mtime: number): Tree {
  const lines = typeof table === "string" ? parseDeviceTable(table) : table;
  const byPath = new Map<string, TreeEntry>();
  for (const e of tree) byPath.set(e.path, { ...e });
  if (!byPath.has("/")) byPath.set("/", { path: "/", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime });
  const add = (l: DeviceTableLine, e: TreeEntry) => {
    const parent = byPath.get(parentPath(e.path));
    if (!parent)
      fail(
        l.line,
        `parent directory ${parentPath(e.path)} of ${e.path} is neither in the tree nor earlier in the table`,
      );
    if (parent.kind !== "dir") fail(l.line, `parent ${parentPath(e.path)} of ${e.path} is not a directory`);
    const old = byPath.get(e.path);
    if (old && old.kind === "dir") fail(l.line, `${e.path} is a directory in the tree`);
    byPath.set(e.path, e);
  };
  for (const l of lines) {
    const { mode, uid, gid } = l;
    const old = byPath.get(l.path);
    switch (l.type) {
      case "d":
        if (old && old.kind !== "dir") fail(l.line, `${l.path} is a ${old.kind} in the tree, not a directory`);
        if (old) Object.assign(old, { mode, uid, gid });
        else add(l, { path: l.path, kind: "dir", mode, uid, gid, mtime });
        break;
      case "f":
        if (!old || old.kind !== "file") fail(l.line, `regular file ${l.path} is not in the tree`);
        Object.assign(old, { mode, uid, gid });
        break;
      case "p":
      case "s":
        add(l, { path: l.path, kind: l.type === "p" ? "fifo" : "socket", mode, uid, gid, mtime });
        break;
      case "c":
      case "b": {
        const kind = l.type === "c" ? "chardev" : "blockdev";
        if (l.count === 0) {
          add(l, { path: l.path, kind, mode, uid, gid, mtime, major: l.major, minor: l.minor });
        } else {
          for (let i = l.start; i < l.start + l.count; i++) {
            add(l, {
              path: `${l.path}${i}`,
              kind,
              mode,
              uid,
              gid,
              mtime,
              major: l.major,
              minor: l.minor + (i - l.start) * l.inc,
            });
          }
        }
        break;
      }
    }
  }
  return [...byPath.values()];
}
