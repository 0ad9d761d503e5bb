// A machine snapshot as a file: v86's whole state (memory, devices, the disks' contents), gzip'd,
// behind a small header naming the v86 version, the memory size and the images the machine was
// started from, so that a snapshot is only ever restored into the same emulator and images.

import type { LooprootConfig } from "../src/config.ts";
import { sha256, hex } from "../src/util/sha256.ts";
import v86Package from "v86/package.json";

export const SNAPSHOT_MAGIC = "LRSNAP1\n";
export const V86_VERSION: string = (v86Package as { version: string }).version;
/** A header is a few hundred bytes of JSON; more is not a snapshot of ours. */
const MAX_HEADER = 1 << 20;
/** v86 states are the RAM plus the disks: refuse to inflate past this. */
const MAX_STATE = 1536 * 1024 * 1024;

export interface SnapshotHeader {
  v86: string;
  memoryMiB: number;
  /** sha256 of the floppy and of the disk the machine was started from (before the guest wrote to it). */
  floppy: string;
  disk: string;
  diskSize: number;
  config: LooprootConfig;
  takenAt: number;
  stateBytes: number;
  /** The serial console's last text when it was taken (shown again after a restore). */
  serial?: string;
}

/** A snapshot that cannot be restored here, with the reason for the user. */
export class SnapshotError extends Error {}

export const imageId = (bytes: Uint8Array) => hex(sha256(bytes));

async function pipe(
  data: Uint8Array,
  t: CompressionStream | DecompressionStream,
  limit = Infinity,
): Promise<Uint8Array> {
  const reader = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(t).getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > limit) {
      await reader.cancel();
      throw new SnapshotError(`the snapshot's state is larger than its header says (${limit} bytes)`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/** The header's JSON starts with the v86 version and the state's size; the console text comes last. */
export async function encodeSnapshot(
  state: ArrayBuffer,
  h: Omit<SnapshotHeader, "v86" | "stateBytes">,
): Promise<Uint8Array> {
  const header = new TextEncoder().encode(JSON.stringify({ v86: V86_VERSION, stateBytes: state.byteLength, ...h }));
  const body = await pipe(new Uint8Array(state), new CompressionStream("gzip"));
  const out = new Uint8Array(SNAPSHOT_MAGIC.length + 4 + header.length + body.length);
  out.set(new TextEncoder().encode(SNAPSHOT_MAGIC));
  new DataView(out.buffer).setUint32(SNAPSHOT_MAGIC.length, header.length, true);
  out.set(header, SNAPSHOT_MAGIC.length + 4);
  out.set(body, SNAPSHOT_MAGIC.length + 4 + header.length);
  return out;
}

/** The header alone, checked for this page's v86; throws SnapshotError with the reason. */
export function readSnapshotHeader(file: Uint8Array): { header: SnapshotHeader; body: Uint8Array } {
  const magic = new TextDecoder().decode(file.subarray(0, SNAPSHOT_MAGIC.length));
  if (file.length < SNAPSHOT_MAGIC.length + 4 || magic !== SNAPSHOT_MAGIC)
    throw new SnapshotError("this file is not a looproot machine snapshot");
  const len = new DataView(file.buffer, file.byteOffset).getUint32(SNAPSHOT_MAGIC.length, true);
  if (len > MAX_HEADER || SNAPSHOT_MAGIC.length + 4 + len > file.length)
    throw new SnapshotError("the snapshot's header is damaged");
  let header: SnapshotHeader;
  try {
    header = JSON.parse(
      new TextDecoder().decode(file.subarray(SNAPSHOT_MAGIC.length + 4, SNAPSHOT_MAGIC.length + 4 + len)),
    );
  } catch {
    throw new SnapshotError("the snapshot's header is damaged");
  }
  const ok =
    header &&
    typeof header.v86 === "string" &&
    typeof header.floppy === "string" &&
    typeof header.disk === "string" &&
    Number.isInteger(header.stateBytes) &&
    header.stateBytes > 0 &&
    header.stateBytes <= MAX_STATE &&
    Number.isInteger(header.memoryMiB) &&
    typeof header.config === "object";
  if (!ok) throw new SnapshotError("the snapshot's header is damaged");
  if (header.v86 !== V86_VERSION)
    throw new SnapshotError(
      `this snapshot was taken with v86 ${header.v86}; this page runs v86 ${V86_VERSION}, which cannot restore it`,
    );
  return { header, body: file.subarray(SNAPSHOT_MAGIC.length + 4 + len) };
}

/** Refuses a snapshot of other images than these. */
export function checkSnapshotImages(header: SnapshotHeader, floppy: Uint8Array, disk: Uint8Array): void {
  const problems: string[] = [];
  if (imageId(floppy) !== header.floppy) problems.push("floppy");
  if (disk.length !== header.diskSize || imageId(disk) !== header.disk) problems.push("hard disk");
  if (problems.length)
    throw new SnapshotError(
      `this snapshot was taken with another ${problems.join(" and ")} image than the ones its choices build here, so it is not restored`,
    );
}

export async function snapshotState(header: SnapshotHeader, body: Uint8Array): Promise<ArrayBuffer> {
  let state: Uint8Array;
  try {
    state = await pipe(body, new DecompressionStream("gzip"), header.stateBytes);
  } catch (e) {
    if (e instanceof SnapshotError) throw e;
    throw new SnapshotError("the snapshot's state is damaged (it does not unpack)");
  }
  if (state.length !== header.stateBytes) throw new SnapshotError("the snapshot's state is cut short");
  return state.buffer as ArrayBuffer;
}
