// Machine snapshot files: the state comes back byte for byte; another v86, other images, a
// damaged header and a cut or inflated state are refused with the reason.
import { describe, it, expect } from "vitest";
import { defaultConfig } from "../../src/config.ts";
import {
  encodeSnapshot,
  readSnapshotHeader,
  checkSnapshotImages,
  snapshotState,
  imageId,
  SNAPSHOT_MAGIC,
  V86_VERSION,
} from "../../emulator/snapshot.ts";

const floppy = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
const disk = Uint8Array.from({ length: 5000 }, (_, i) => (i * 3) & 0xff);
const state = Uint8Array.from({ length: 100_000 }, (_, i) => (i % 97 === 0 ? i & 0xff : 0));
const make = () =>
  encodeSnapshot(state.slice().buffer, {
    memoryMiB: 32,
    floppy: imageId(floppy),
    disk: imageId(disk),
    diskSize: disk.length,
    config: defaultConfig(),
    takenAt: 1,
  });

describe("machine snapshot files", () => {
  it("round trip: the header names v86 and the images, the state comes back whole and compressed", async () => {
    const file = await make();
    expect(file.length).toBeLessThan(state.length / 5);
    const { header, body } = readSnapshotHeader(file);
    expect(header.v86).toBe(V86_VERSION);
    checkSnapshotImages(header, floppy, disk);
    expect(new Uint8Array(await snapshotState(header, body))).toEqual(state);
  });
  it("refuses other images, another v86, a damaged header and a damaged state", async () => {
    const file = await make();
    const { header, body } = readSnapshotHeader(file);
    const other = disk.slice();
    other[7] ^= 1;
    expect(() => checkSnapshotImages(header, floppy, other)).toThrow(/another hard disk image/);
    expect(() => checkSnapshotImages(header, other, floppy)).toThrow(/another floppy and hard disk image/);
    const text = new TextDecoder("latin1").decode(file);
    const forged = Uint8Array.from(
      text.replace(`"v86":"${V86_VERSION}"`, `"v86":"${V86_VERSION.replace(/^\d/, "9")}"`),
      (c) => c.charCodeAt(0),
    );
    expect(() => readSnapshotHeader(forged)).toThrow(/taken with v86 9/);
    expect(() => readSnapshotHeader(new TextEncoder().encode("hello"))).toThrow(/not a looproot machine snapshot/);
    const bad = file.slice();
    bad[SNAPSHOT_MAGIC.length + 4] = 0x7b + 1;
    expect(() => readSnapshotHeader(bad)).toThrow(/header is damaged/);
    await expect(snapshotState(header, body.subarray(0, body.length >> 1))).rejects.toThrow(
      /state is (damaged|cut short)/,
    );
    await expect(snapshotState({ ...header, stateBytes: 1000 }, body)).rejects.toThrow(/larger than its header says/);
  });
});
