// The ext2 on-disk format as the writer and the reader share it, as ext2_fs.h is to e2fsprogs:
// the magic, the reserved inodes, the feature bits, the i_mode file types and directory entry
// types, and which groups carry a backup superblock. Field names follow the kernel's ext2_fs.h.

export const EXT2_MAGIC = 0xef53;
/** s_first_ino for revision 1: inodes 1..10 are reserved. */
export const FIRST_INO = 11;
export const ROOT_INO = 2;
/** lost+found, the first unreserved inode, as mke2fs makes it. */
export const LPF_INO = 11;
/** EXT2_LINK_MAX in the kernel. */
export const LINK_MAX = 32000;
/** i_mtime and the other times are signed 32-bit fields. */
export const MAX_TIME = 0x7fffffff;
export const MAX_BLOCKS = 0xffffffff;
/** s_volume_name: mke2fs -L takes at most 16 bytes (no NUL when full). */
export const LABEL_MAX = 16;

// s_feature_* bits
export const COMPAT_EXT_ATTR = 0x0008;
export const COMPAT_RESIZE_INODE = 0x0010;
export const INCOMPAT_FILETYPE = 0x0002;
export const RO_COMPAT_SPARSE_SUPER = 0x0001;
export const RO_COMPAT_LARGE_FILE = 0x0002;
/** The incompat features ext2 and ext4 define, by bit, to name the ones an image needs that the reader lacks. */
export const INCOMPAT_NAMES: Record<number, string> = {
  0x0001: "compression",
  0x0004: "needs_recovery",
  0x0008: "journal_dev",
  0x0010: "meta_bg",
  0x0040: "extent",
  0x0080: "64bit",
  0x0100: "mmp",
  0x0200: "flex_bg",
  0x0400: "ea_inode",
  0x1000: "dirdata",
  0x2000: "metadata_csum_seed",
  0x4000: "large_dir",
  0x8000: "inline_data",
  0x10000: "encrypt",
  0x20000: "casefold",
};

// i_mode file types
export const S_IFMT = 0xf000;
export const S_IFSOCK = 0xc000,
  S_IFLNK = 0xa000,
  S_IFREG = 0x8000,
  S_IFBLK = 0x6000;
export const S_IFDIR = 0x4000,
  S_IFCHR = 0x2000,
  S_IFIFO = 0x1000;

// ext2_dir_entry_2.file_type
export const FT_REG = 1,
  FT_DIR = 2,
  FT_CHR = 3,
  FT_BLK = 4,
  FT_FIFO = 5,
  FT_SOCK = 6,
  FT_SYMLINK = 7;

/** sparse_super: groups 0, 1 and powers of 3, 5 and 7 carry a backup superblock and GDT; without it, every group. */
export function groupHasSuper(g: number, sparse: boolean): boolean {
  if (!sparse || g <= 1) return true;
  for (const p of [3, 5, 7]) {
    let x = p;
    while (x < g) x *= p;
    if (x === g) return true;
  }
  return false;
}
