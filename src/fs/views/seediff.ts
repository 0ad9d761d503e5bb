// What changed in an image against the one it was built as: files added, changed and removed on
// each filesystem (the FAT partition, the root image inside it, the floppy, the initrd), from two
// See-inside reports. Pure; it compares the listings and the content hashes, never the images.

import type { SeeFile, SeeReport, VolumeId } from "./see.ts";

export interface FileChange {
  path: string;
  before: SeeFile;
  after: SeeFile;
  /** What differs: "type", "contents", "size", "mode", "owner", "target", "device", "attributes", "time". */
  what: string[];
}

export interface VolumeDiff {
  id: VolumeId;
  title: string;
  added: SeeFile[];
  removed: SeeFile[];
  changed: FileChange[];
}

/** How one entry differs from another at the same path (empty: the same). */
export function differences(a: SeeFile, b: SeeFile): string[] {
  const what: string[] = [];
  if (a.kind !== b.kind) return ["type"];
  // A directory's size and time follow its entries, which the diff lists on their own.
  const dir = a.kind === "dir";
  if (!dir && a.hash !== b.hash) what.push("contents");
  if (!dir && a.size !== b.size) what.push("size");
  if (a.mode !== b.mode) what.push("mode");
  if (a.uid !== b.uid || a.gid !== b.gid) what.push("owner");
  if (a.kind !== "hardlink" && a.target !== b.target) what.push("target");
  if (a.major !== b.major || a.minor !== b.minor) what.push("device");
  if (((a.attributes ?? 0) & ~0x20) !== ((b.attributes ?? 0) & ~0x20)) what.push("attributes");
  if (!dir && a.mtime !== b.mtime) what.push("time");
  return what;
}

/** Added, removed and changed entries between two listings of one filesystem, each in path order. */
export function diffFiles(before: SeeFile[], after: SeeFile[]): Omit<VolumeDiff, "id" | "title"> {
  const old = new Map(before.map((f) => [f.path, f]));
  const now = new Map(after.map((f) => [f.path, f]));
  const byPath = (x: { path: string }, y: { path: string }) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);
  const added = after.filter((f) => !old.has(f.path)).sort(byPath);
  const removed = before.filter((f) => !now.has(f.path)).sort(byPath);
  const changed: FileChange[] = [];
  for (const f of after) {
    const b = old.get(f.path);
    if (!b) continue;
    const what = differences(b, f);
    if (what.length) changed.push({ path: f.path, before: b, after: f, what });
  }
  return { added, removed, changed: changed.sort(byPath) };
}

/**
 * Each filesystem both reports hold, compared. A filesystem only one of them holds (the root
 * image no longer found, say) is not compared; the caller has the reports' problems for that.
 */
export function diffReports(base: SeeReport, now: SeeReport): VolumeDiff[] {
  const out: VolumeDiff[] = [];
  for (const v of now.volumes) {
    const b = base.volumes.find((x) => x.id === v.id);
    if (b) out.push({ id: v.id, title: v.title, ...diffFiles(b.files, v.files) });
  }
  return out;
}
