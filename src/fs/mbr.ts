// The MBR, written and read: the hard disk image with one primary DOS partition, CHS fields in
// the geometry the BIOS (SeaBIOS 1.16 under QEMU or v86) will report for this very disk; and the
// partition table of any disk read back, checked against the disk's size.

import { messageBootCode } from "./bootmsg.ts";
import { FAT16_MAX_SECTORS } from "./fat/index.ts";
import { LooprootError, ErrorCode } from "../errors.ts";
import { fmt } from "../util/fmt.ts";

const SECTOR = 512;

export interface BiosGeometry {
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
}

/*
 * What SeaBIOS 1.16 reports through INT 13h for an IDE disk (src/block.c, setup_translation).
 *
 * Under QEMU and v86, SeaBIOS takes the translation mode from CMOS (0x39) and the physical
 * geometry from ATA IDENTIFY; both emulators set them with QEMU's hd_geometry_guess(), which
 * reads the partition table already on the disk: heads = end head + 1 and sectors = end sector
 * of the first used entry.
 *   - Up to 1,024 cylinders of 16 x 63 (504 MiB): 16 heads, 63 sectors, no translation.
 *   - Above that, with an MBR that says 16 heads: still no translation, and SeaBIOS clips the
 *     cylinders to 1,024, so INT 13h CHS reaches only the first 504 MiB (LBA calls reach all).
 *   - Above that, with an MBR that says more than 16 heads, or no MBR: the physical geometry is
 *     16 x 63 x (sectors / 1008) and the mode is LARGE while cylinders x 16 <= 131,072 (disks up
 *     to 8,192 cylinders, 3.94 GiB), else LBA. LARGE halves the cylinders and doubles the heads
 *     until at most 1,024 cylinders remain (32, 64 or 128 heads); LBA takes sectors / 63 / 1024
 *     rounded up to 16, 32, 64, 128 or 255 heads (255 x 1,024 cylinders above 7.8 GiB).
 *     (On a blank disk the mode is LBA from 504 MiB on, so its heads can differ from LARGE's:
 *     a 1 GiB disk is 32 heads when blank and 64 heads once an MBR with >16 heads is on it.)
 * This function returns the geometry that is a fixed point: an MBR written with it makes the
 * BIOS report it again. Below 504 MiB that is 16 x 63; above, the LARGE/LBA geometry, which lets
 * CHS reach up to 4 GiB instead of 504 MiB. The cylinder count is clipped to 1,024 as INT 13h does.
 */
export function biosGeometry(sizeBytes: number): BiosGeometry {
  checkDiskSize(sizeBytes);
  const sectors = Math.floor(sizeBytes / SECTOR);
  const pcyl = Math.min(16383, Math.max(2, Math.floor(sectors / (16 * 63))));
  if (pcyl <= 1024) return { cylinders: pcyl, heads: 16, sectorsPerTrack: 63 };
  if (pcyl * 16 <= 131072) {
    // TRANSLATION_LARGE
    let c = pcyl;
    let h = 16;
    while (c > 1024) {
      c >>= 1;
      h <<= 1;
      if (h > 127) break;
    }
    return { cylinders: Math.min(c, 1024), heads: h, sectorsPerTrack: 63 };
  }
  // TRANSLATION_LBA
  if (sectors > 63 * 255 * 1024) return { cylinders: 1024, heads: 255, sectorsPerTrack: 63 };
  const sect = Math.floor(sectors / 63);
  const q = Math.floor(sect / 1024);
  const h = q > 128 ? 255 : q > 64 ? 128 : q > 32 ? 64 : q > 16 ? 32 : 16;
  return { cylinders: Math.min(1024, Math.floor(sect / h)), heads: h, sectorsPerTrack: 63 };
}

/**
 * The disk sizes the MBR writer and biosGeometry take: from two cylinders of 16 x 63 to 8 GiB (a
 * FAT16 partition holds at most 2 GiB). Not the largest disk a boot takes (cli/boot.ts, under 2 GiB).
 */
export const MBR_DISK_MIN_BYTES = 2 * 16 * 63 * SECTOR;
export const MBR_DISK_MAX_BYTES = 8 * 1024 ** 3;

function checkDiskSize(sizeBytes: number): void {
  if (!Number.isInteger(sizeBytes) || sizeBytes % SECTOR !== 0) {
    throw new Error(`sizeBytes: ${sizeBytes} is not a whole number of 512-byte sectors`);
  }
  if (sizeBytes < MBR_DISK_MIN_BYTES || sizeBytes > MBR_DISK_MAX_BYTES) {
    throw new Error(
      `sizeBytes: ${fmt(sizeBytes)} is outside ${fmt(MBR_DISK_MIN_BYTES)}..${fmt(MBR_DISK_MAX_BYTES)} bytes`,
    );
  }
}

export interface DiskLayout {
  geometry: BiosGeometry;
  /** First sector of the partition (BPB_HiddSec of its volume). */
  partitionStart: number;
  /** Sectors in the partition (BPB_TotSec of its volume): whole cylinders, as FDISK made them. */
  partitionSectors: number;
}

/**
 * Where the one partition goes: from the start of the second track (sector 63, as DOS FDISK
 * put it) to the end of the last whole cylinder. Ending on a cylinder boundary matters: QEMU and
 * v86 read the heads back from the entry's end CHS.
 */
export function diskLayout(sizeBytes: number, partitionStart?: number): DiskLayout {
  const geometry = biosGeometry(sizeBytes);
  const start = partitionStart ?? geometry.sectorsPerTrack;
  const sectors = sizeBytes / SECTOR;
  if (!Number.isInteger(start) || start < 1 || start >= sectors) {
    throw new Error(`partitionStart: ${start} is outside 1..${fmt(sectors - 1)}`);
  }
  const cyl = geometry.heads * geometry.sectorsPerTrack;
  const end = Math.floor(sectors / cyl) * cyl;
  if (end <= start) throw new Error(`sizeBytes: ${fmt(sizeBytes)} bytes hold no whole cylinder after sector ${start}`);
  return { geometry, partitionStart: start, partitionSectors: end - start };
}

export interface DiskOptions {
  sizeBytes: number;
  /** Default 63: the second track, as DOS did. */
  partitionStart?: number;
  /** Default: to the end of the last whole cylinder (diskLayout). */
  partitionSectors?: number;
  /** 0x01 FAT12, 0x04 FAT16 under 32 MiB, 0x06 FAT16 from 32 MiB; default chosen from the volume. */
  partitionType?: number;
  /** The partition's bytes (a FAT volume from makeFat); may be shorter than the partition. */
  volume: Uint8Array;
  active?: boolean;
  /** The MBR's disk signature (offset 440), derived from the config by the caller. */
  diskSignature: number;
}

const MBR_MESSAGE = "\r\nBoot from the floppy: this disk holds the DOS partition.\r\nPress any key to try again.\r\n";

function chs(lba: number, g: BiosGeometry): [number, number, number] {
  const spc = g.heads * g.sectorsPerTrack;
  let c = Math.floor(lba / spc);
  let h = Math.floor(lba / g.sectorsPerTrack) % g.heads;
  let s = (lba % g.sectorsPerTrack) + 1;
  // Past cylinder 1023 CHS cannot say it: the convention is the largest address.
  if (c > 1023) [c, h, s] = [1023, g.heads - 1, g.sectorsPerTrack];
  return [h, (s & 0x3f) | ((c >> 2) & 0xc0), c & 0xff];
}

/** The whole disk image: the MBR, then the volume at the partition's start. */
export function makeDisk(opts: DiskOptions): Uint8Array {
  const { mbr, start } = buildMbr(opts, opts.volume.length, opts.volume.subarray(0, SECTOR));
  const disk = new Uint8Array(opts.sizeBytes);
  disk.set(mbr, 0);
  disk.set(opts.volume, start * SECTOR);
  return disk;
}

/**
 * Only the MBR sector of makeDisk's image, for writing into a sparse file or a stream. The volume's
 * first sector (when given) is checked against the partition as makeDisk does.
 */
export function makeMbr(
  opts: Omit<DiskOptions, "volume"> & { volumeBytes?: number; volumeBootSector?: Uint8Array },
): Uint8Array {
  return buildMbr(opts, opts.volumeBytes ?? 0, opts.volumeBootSector ?? new Uint8Array(0)).mbr;
}

function buildMbr(
  opts: Omit<DiskOptions, "volume">,
  volLength: number,
  volHead: Uint8Array,
): { mbr: Uint8Array; start: number } {
  const layout = diskLayout(opts.sizeBytes, opts.partitionStart);
  const g = layout.geometry;
  const start = layout.partitionStart;
  const total = opts.sizeBytes / SECTOR;
  const count = opts.partitionSectors ?? layout.partitionSectors;
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`partitionSectors: ${count} is not a positive whole number`);
  if (start + count > total) {
    throw new Error(
      `partitionSectors: the partition (sectors ${fmt(start)}..${fmt(start + count - 1)}) does not fit the disk's ${fmt(total)} sectors`,
    );
  }
  const cylSectors = g.heads * g.sectorsPerTrack;
  if ((start + count) % cylSectors !== 0 && start + count <= 1024 * cylSectors) {
    throw new Error(
      `partitionSectors: the partition must end on a cylinder boundary (${g.heads} heads x ${g.sectorsPerTrack} sectors) so the BIOS reads the geometry back; ${fmt(layout.partitionSectors)} would`,
    );
  }
  if (!Number.isInteger(opts.diskSignature) || opts.diskSignature < 0 || opts.diskSignature > 0xffffffff) {
    throw new Error(`diskSignature: ${opts.diskSignature} is outside 0..4294967295`);
  }
  if (volLength % SECTOR !== 0) throw new Error(`volume: ${fmt(volLength)} bytes is not a whole number of sectors`);
  if (volLength > count * SECTOR) {
    throw new Error(
      `volume: ${fmt(volLength)} bytes do not fit the partition's ${fmt(count * SECTOR)} bytes (${fmt(volLength - count * SECTOR)} bytes over)`,
    );
  }
  if (count > FAT16_MAX_SECTORS) {
    throw new Error(
      `partitionSectors: ${fmt(count)} sectors (${fmt(count * SECTOR)} bytes) is over FAT16's limit of ${fmt(FAT16_MAX_SECTORS)} sectors (65,524 clusters of 32 KiB, just under 2 GiB)`,
    );
  }

  // What the volume says about itself, to check it against the partition.
  const vol = volHead;
  const bpb = vol.length >= SECTOR ? new DataView(vol.buffer, vol.byteOffset, SECTOR) : undefined;
  let volFat: 12 | 16 | undefined;
  if (bpb && bpb.getUint16(11, true) === SECTOR && vol[510] === 0x55 && vol[511] === 0xaa) {
    const hidden = bpb.getUint32(28, true);
    if (hidden !== start)
      throw new Error(`volume: BPB_HiddSec is ${hidden} but the partition starts at sector ${start}`);
    const spt = bpb.getUint16(24, true);
    const heads = bpb.getUint16(26, true);
    if (spt !== g.sectorsPerTrack || heads !== g.heads) {
      throw new Error(
        `volume: BPB geometry ${heads} heads x ${spt} sectors differs from the BIOS's ${g.heads} x ${g.sectorsPerTrack}`,
      );
    }
    const fs = String.fromCharCode(...vol.subarray(54, 59));
    if (fs === "FAT12") volFat = 12;
    else if (fs === "FAT16") volFat = 16;
  }
  const type = opts.partitionType ?? (volFat === 12 ? 0x01 : count < 65536 ? 0x04 : 0x06);
  if (type === 0x01) {
    if (volFat === 16) throw new Error("partitionType: 0x01 is FAT12 but the volume is FAT16");
  } else if (type === 0x04) {
    if (count >= 65536)
      throw new Error(
        `partitionType: 0x04 is for FAT16 under 32 MiB (65,536 sectors); this partition has ${fmt(count)}, use 0x06`,
      );
    if (volFat === 12) throw new Error("partitionType: 0x04 is FAT16 but the volume is FAT12 (use 0x01)");
  } else if (type === 0x06) {
    if (count < 65536)
      throw new Error(
        `partitionType: 0x06 is for FAT16 from 32 MiB (65,536 sectors); this partition has ${fmt(count)}, use 0x04`,
      );
    if (volFat === 12) throw new Error("partitionType: 0x06 is FAT16 but the volume is FAT12 (use 0x01)");
  } else {
    throw new Error(`partitionType: 0x${type.toString(16)} is not a DOS FAT type (0x01, 0x04 or 0x06)`);
  }

  const disk = new Uint8Array(SECTOR);
  const dv = new DataView(disk.buffer);
  disk.set(messageBootCode(0, MBR_MESSAGE), 0);
  dv.setUint32(440, opts.diskSignature >>> 0, true); // disk signature
  const e = 446; // partition entry 1
  disk[e] = opts.active === false ? 0x00 : 0x80; // boot indicator
  disk.set(chs(start, g), e + 1); // starting CHS
  disk[e + 4] = type;
  disk.set(chs(start + count - 1, g), e + 5); // ending CHS
  dv.setUint32(e + 8, start, true); // starting LBA
  dv.setUint32(e + 12, count, true); // size in sectors
  disk[510] = 0x55;
  disk[511] = 0xaa;
  return { mbr: disk, start };
}

/** Partition types DOS reads as FAT: FAT12, FAT16 under 32 MiB, FAT16, FAT16 with LBA. */
export const FAT_PARTITION_TYPES: ReadonlySet<number> = new Set([0x01, 0x04, 0x06, 0x0e]);

/** One used slot of the partition table. */
export interface MbrPartition {
  /** 1..4, as fdisk numbers them. */
  index: number;
  bootable: boolean;
  type: number;
  /** First sector (LBA) and sector count. */
  start: number;
  sectors: number;
}

/** The four primary entries of an MBR (empty slots left out), checked against the disk's size. */
export function readMbr(image: Uint8Array): { diskSignature: number; partitions: MbrPartition[] } {
  const bad = (field: string, why: string) => new LooprootError(ErrorCode.Image, `MBR: ${field}: ${why}`, { field });
  if (image.length < SECTOR) throw bad("sector 0", `the image has ${fmt(image.length)} bytes, less than one sector`);
  if (image[510] !== 0x55 || image[511] !== 0xaa) throw bad("signature", "sector 0 does not end in 55 AA");
  const dv = new DataView(image.buffer, image.byteOffset, SECTOR);
  const sectors = Math.floor(image.length / SECTOR);
  const partitions: MbrPartition[] = [];
  for (let i = 0; i < 4; i++) {
    const o = 446 + 16 * i;
    const type = image[o + 4];
    if (type === 0) continue;
    const flag = image[o];
    if (flag !== 0 && flag !== 0x80) throw bad(`partition ${i + 1} status`, `0x${flag.toString(16)} is not 00 or 80`);
    const start = dv.getUint32(o + 8, true),
      count = dv.getUint32(o + 12, true);
    if (start === 0 || count === 0)
      throw bad(`partition ${i + 1}`, `starts at sector ${fmt(start)} with ${fmt(count)} sectors`);
    if (start + count > sectors)
      throw bad(
        `partition ${i + 1}`,
        `sectors ${fmt(start)}..${fmt(start + count - 1)} run past the disk's ${fmt(sectors)} sectors`,
      );
    partitions.push({ index: i + 1, bootable: flag === 0x80, type, start, sectors: count });
  }
  const sorted = [...partitions].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].start < sorted[i - 1].start + sorted[i - 1].sectors)
      throw bad(`partition ${sorted[i].index}`, `overlaps partition ${sorted[i - 1].index}`);
  }
  return { diskSignature: dv.getUint32(440, true), partitions };
}
