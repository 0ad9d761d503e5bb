// A hostile "DOS floppy" for the upload tests: a 2.88M FAT12 image whose ~1,400 directories each
// have a cluster of their own followed by one shared 1,400-cluster tail (cross-linked chains).
// A reader that follows the shared tail once per directory does about 2 GB of work on 2.9 MB.

import { makeFat } from "../../src/fs/fat/index.ts";

export function crossLinkedFloppy(heads = 1400): Uint8Array {
  const boot = new Uint8Array(512);
  boot.set([0xeb, 0x3c, 0x90]);
  boot[510] = 0x55;
  boot[511] = 0xaa;
  const img = makeFat({ floppy: "2.88M", serial: 7, time: Date.UTC(2000, 0, 1) / 1000, bootSector: boot }, []);
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const bps = dv.getUint16(11, true),
    spc = img[13],
    rsvd = dv.getUint16(14, true),
    nfats = img[16];
  const rootEntries = dv.getUint16(17, true),
    total = dv.getUint16(19, true),
    fatSz = dv.getUint16(22, true);
  const rootAt = (rsvd + nfats * fatSz) * bps;
  const firstData = rsvd + nfats * fatSz + Math.ceil((rootEntries * 32) / bps);
  const clusters = Math.floor((total - firstData) / spc);
  const maxCluster = clusters + 1;
  const clusterAt = (c: number) => (firstData + (c - 2) * spc) * bps;
  const setFat = (n: number, v: number) => {
    for (let f = 0; f < nfats; f++) {
      const fat = (rsvd + f * fatSz) * bps;
      const o = fat + n + (n >> 1);
      if (n & 1) {
        img[o] = (img[o] & 0x0f) | ((v & 0x0f) << 4);
        img[o + 1] = v >> 4;
      } else {
        img[o] = v & 0xff;
        img[o + 1] = (img[o + 1] & 0xf0) | (v >> 8);
      }
    }
  };
  const tail = 2 + heads;
  for (let c = tail; c < maxCluster; c++) setFat(c, c + 1);
  setFat(maxCluster, 0xfff);
  const dirEntry = (at: number, i: number) => {
    const name = `D${String(i).padStart(7, "0")}   `;
    for (let k = 0; k < 11; k++) img[at + k] = name.charCodeAt(k);
    img[at + 11] = 0x10;
    dv.setUint16(at + 26, 2 + i, true);
  };
  // Breadth first: the root holds the first 32 directories, each directory the next 32.
  const perCluster = (spc * bps) / 32;
  let next = 0;
  for (let k = 0; k < 32 && next < heads; k++) dirEntry(rootAt + k * 32, next++);
  for (let i = 0; i < heads; i++) {
    setFat(2 + i, tail);
    for (let k = 0; k < perCluster && next < heads; k++) dirEntry(clusterAt(2 + i) + k * 32, next++);
  }
  return img;
}
