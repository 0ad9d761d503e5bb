// HOWTO 3.6, "Creating the MSDOS Directory": C:\LINUX with LINUXDSK.IMG and LINUXSWP.IMG, inside
// the FAT16 primary partition of an IDE hard disk image whose MBR and BPB agree with the
// geometry the BIOS reports (DOS finds C: through the BIOS, Linux through the partition table).

import type { LooprootConfig } from "../config.ts";
import { makeFat, fatSpace, fatFileOffsets, ATTR_ARCHIVE, type FatFile, type FatOptions } from "../fs/fat/index.ts";
import { makeMbr, diskLayout as mbrLayout, type DiskLayout as MbrLayout } from "../fs/mbr.ts";
import { derivedU32 } from "../ids.ts";
import { dosPathInDos } from "./names.ts";
import { kernelFileOnDisk } from "./kernel.ts";

export interface DiskLayout extends MbrLayout {
  sizeBytes: number;
  partitionType: number;
}

/** The partition: from sector 63 to the last whole cylinder of the BIOS geometry, as FDISK made it. */
export function diskLayout(config: LooprootConfig): DiskLayout {
  const sizeBytes = config.disk.sizeMiB * 1024 * 1024;
  const layout = mbrLayout(sizeBytes);
  // 04h: FAT16 below 32 MiB (65,536 sectors); 06h: "BIGDOS" FAT16 at or above it.
  const partitionType = layout.partitionSectors < 65536 ? 0x04 : 0x06;
  return { ...layout, sizeBytes, partitionType };
}

function partitionFatOptions(config: LooprootConfig, layout: DiskLayout): FatOptions {
  return {
    totalSectors: layout.partitionSectors,
    hiddenSectors: layout.partitionStart,
    heads: layout.geometry.heads,
    sectorsPerTrack: layout.geometry.sectorsPerTrack,
    driveNumber: 0x80,
    label: config.disk.label,
    serial: derivedU32(config, "disk-serial"),
    fatType: 16,
    time: config.time,
  };
}

/** Root, swap and (for the distribution kernel) the kernel LOADLIN reads from C: (src/howto/kernel.ts). */
function dosDirFiles(config: LooprootConfig, root: Uint8Array, swap: Uint8Array, kernel?: Uint8Array): FatFile[] {
  const kernelFile = kernelFileOnDisk(config);
  return [
    { path: dosPathInDos(config, config.dos.rootFile), data: root, attributes: ATTR_ARCHIVE, mtime: config.time },
    { path: dosPathInDos(config, config.dos.swapFile), data: swap, attributes: ATTR_ARCHIVE, mtime: config.time },
    ...(kernelFile
      ? [{ path: kernelFile, data: kernel ?? new Uint8Array(0), attributes: ATTR_ARCHIVE, mtime: config.time }]
      : []),
  ];
}

/** Space check before the images are built: sizes only, no bytes. */
export function diskSpace(config: LooprootConfig, rootBytes: number, swapBytes: number, kernelBytes = 0) {
  const layout = diskLayout(config);
  const files = dosDirFiles(config, new Uint8Array(0), new Uint8Array(0)).map((f, i) => ({
    ...f,
    size: [rootBytes, swapBytes, kernelBytes][i],
  }));

  return { layout, space: fatSpace(partitionFatOptions(config, layout), files, [config.dos.directory]) };
}

/** A disk image being built in place: the whole disk, and the windows of its partition where the root and swap images go. */
export interface HardDiskWindows {
  disk: Uint8Array;
  /** LINUXDSK.IMG's contiguous cluster run: write the root image here. */
  root: Uint8Array;
  /** LINUXSWP.IMG's contiguous cluster run: write the swap image here. */
  swap: Uint8Array;
}

/**
 * The disk buffer, allocated once and still all zero, with the windows where the FAT layout will
 * put the root and swap images (each file is one contiguous run of clusters). Build the images
 * into the windows, then call makeHardDisk with them: nothing big is built twice or copied.
 */
export function hardDiskWindows(
  config: LooprootConfig,
  rootBytes: number,
  swapBytes: number,
  kernelBytes = 0,
): HardDiskWindows {
  const layout = diskLayout(config);
  const sized = dosDirFiles(config, new Uint8Array(0), new Uint8Array(0)).map((f, i) => ({
    ...f,
    size: [rootBytes, swapBytes, kernelBytes][i],
  }));
  const [rootAt, swapAt] = fatFileOffsets(partitionFatOptions(config, layout), sized, [config.dos.directory]);
  const disk = new Uint8Array(layout.sizeBytes);
  const start = layout.partitionStart * 512;
  return {
    disk,
    root: disk.subarray(start + rootAt, start + rootAt + rootBytes),
    swap: disk.subarray(start + swapAt, start + swapAt + swapBytes),
  };
}

/**
 * The disk image: the MBR, then the FAT16 volume written in place at the partition's start.
 * `root` and `swap` are copied into the partition, unless they are the windows of `inPlace`
 * (from hardDiskWindows), already in their clusters: then that disk is finished and returned.
 */
export function makeHardDisk(
  config: LooprootConfig,
  root: Uint8Array,
  swap: Uint8Array,
  inPlace?: HardDiskWindows,
  kernel?: Uint8Array,
): Uint8Array {
  const layout = diskLayout(config);
  if (inPlace && (inPlace.root !== root || inPlace.swap !== swap || inPlace.disk.length !== layout.sizeBytes)) {
    throw new Error("makeHardDisk: root and swap are not the windows of the disk given to build in place");
  }
  const disk = inPlace?.disk ?? new Uint8Array(layout.sizeBytes);
  const start = layout.partitionStart * 512;
  const volume = disk.subarray(start, start + layout.partitionSectors * 512);
  makeFat(partitionFatOptions(config, layout), dosDirFiles(config, root, swap, kernel), [config.dos.directory], volume);
  disk.set(
    makeMbr({
      sizeBytes: layout.sizeBytes,
      partitionStart: layout.partitionStart,
      partitionSectors: layout.partitionSectors,
      partitionType: layout.partitionType,
      active: true,
      diskSignature: derivedU32(config, "disk-signature"),
      volumeBytes: volume.length,
      volumeBootSector: volume.subarray(0, 512),
    }),
    0,
  );
  return disk;
}
