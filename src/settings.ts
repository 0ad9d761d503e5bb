// Every setting looproot has, one row each: its path in the config, its type and default, its range
// or options, the form's label and unit, the HOWTO's words for it and where today differs, and the
// build steps that read it. The config's type, the defaults, the per-field checks (validate.ts),
// the page's form (app/fields.ts), `--set` (cli/args.ts) and the share link (app/share.ts) are all
// derived from this table (src/schema.ts); README.md "How to add a setting" shows one added.
// Rows are in the config's own key order: it is the order of the JSON files a build writes.

import { FLOPPY_BPB, type FloppyKind } from "./fs/fat/index.ts";
import { SWAP_MIN_PAGES, SWAP_MAX_PAGES, SWAP_PAGE, SWAP_LABEL_MAX } from "./fs/swap.ts";
import type { StepId } from "./steps.ts";

/** The form's sections, in the HOWTO's order (app/fields.ts gives each its title and intro). */
export type FormSection = "initrd" | "root" | "swap" | "dosdir" | "floppy" | "machine";

/** Who reads a setting: a build step (src/steps.ts), the boot itself, or every image (name, time). */
export type Stage = Exclude<StepId, "check"> | "boot" | "all";

/**
 * The checks a text setting gets (src/validate.ts holds one function per name, with its messages).
 * A new kind of text adds a name here and its function there; the compiler asks for both.
 */
export type TextCheck =
  | "name"
  | "dosDevice"
  | "dosDirectory"
  | "dosFile"
  | "ext2Label"
  | "hostname"
  | "swapLabel"
  | "volumeLabel"
  | "floppyPath"
  | "loopDevice"
  | "kernelArgs";

/** Where this product departs from the HOWTO's text, and why; the page shows it next to the choice. */
export interface Today {
  howto: string;
  here: string;
  why: string;
}

interface RowBase {
  /** The setting's dotted path in the config: "group.key", or "key" at the top level. */
  path: string;
  label: string;
  section: FormSection;
  /** The HOWTO's words for this choice (or, where it says nothing, ours, marked "(ours)"). */
  howto: string;
  /** The command or file line of the HOWTO the value goes into. */
  where?: string;
  today?: Today;
  uses: readonly Stage[];
}
export interface IntRow extends RowBase {
  kind: "int";
  default: number;
  range: readonly [number, number];
  unit: string;
}
export interface ChoiceRow<T extends string | number = string | number> extends RowBase {
  kind: "choice";
  default: T;
  options: readonly { value: T; label: string }[];
}
export interface TextRow extends RowBase {
  kind: "text";
  default: string;
  check: TextCheck;
}
export interface BoolRow extends RowBase {
  kind: "bool";
  default: boolean;
}
export type SettingRow = IntRow | ChoiceRow | TextRow | BoolRow;

/** 3 June 1998 08:47 UTC: the date of /linuxrc in the HOWTO's listing. */
export const HOWTO_TIME = Date.UTC(1998, 5, 3, 8, 47, 0) / 1000;
/** DOS dates run from 1980; ext2's 32-bit timestamps end in January 2038. */
export const TIME_MIN = 315532800;
export const TIME_MAX = 2147483647;
/** s_volume_name: ext2 stores a label of at most 16 bytes. */
export const EXT2_LABEL_MAX = 16;

const options = <const T extends string | number>(values: readonly T[], label: (v: T) => string = String) =>
  values.map((value) => ({ value, label: label(value) }));
/** mke2fs -b: the block sizes an i386 kernel (4 KiB pages) mounts. */
const BLOCK_SIZES = options([1024, 2048, 4096], (v) => `${v} bytes`);
const BYTES_PER_INODE = [1024, 67108864] as const;
const RESERVED_PERCENT = [0, 50] as const; // mke2fs refuses more than 50 %
/** The standard floppies: the ones DOS FORMAT has a BPB for. */
const FLOPPY_KINDS = options(Object.keys(FLOPPY_BPB) as FloppyKind[]);

export const SETTINGS = [
  {
    path: "name",
    kind: "text",
    default: "looproot",
    check: "name",
    section: "machine",
    uses: ["all"],
    label: "Build name",
    howto: "(ours) seeds the UUIDs and serial numbers, so the same choices give the same bytes.",
  },
  {
    path: "time",
    kind: "int",
    default: HOWTO_TIME,
    range: [TIME_MIN, TIME_MAX],
    unit: "s",
    section: "machine",
    uses: ["all"],
    label: "Timestamp",
    howto:
      "(ours) every file's date, in seconds since 1970 (UTC); the default is 3 June 1998 08:47, the date of /linuxrc in the HOWTO's listing.",
  },

  // The kernel's RAM disk is 4,096 KiB unless ramdisk_size= says otherwise.
  {
    path: "initrd.sizeKiB",
    kind: "int",
    default: 1024,
    range: [64, 4096],
    unit: "KiB",
    section: "initrd",
    uses: ["initrd"],
    label: "Size",
    where: "dd if=/dev/zero of=initrd.img bs=1k count=…",
    howto: "“Here I have used 1024kB, you may need less or more depending on the contents.”",
  },
  {
    path: "initrd.blockSize",
    kind: "choice",
    default: 1024,
    options: BLOCK_SIZES,
    section: "initrd",
    uses: ["initrd"],
    label: "Block size",
    where: "mke2fs -b …",
    howto: "“Make an ext2 filesystem on the empty file.” (mke2fs -b 1024)",
  },
  {
    path: "initrd.bytesPerInode",
    kind: "int",
    default: 1024,
    range: BYTES_PER_INODE,
    unit: "bytes",
    section: "initrd",
    uses: ["initrd"],
    label: "Bytes per inode",
    where: "mke2fs -i …",
    howto: "mke2fs -i 1024: one inode for each KiB, plenty for many small files and device nodes.",
  },
  {
    path: "initrd.reservedPercent",
    kind: "int",
    default: 5,
    range: RESERVED_PERCENT,
    unit: "%",
    section: "initrd",
    uses: ["initrd"],
    label: "Reserved blocks",
    where: "mke2fs -m …",
    howto: "mke2fs -m 5: the blocks kept for root, as in the HOWTO's command.",
  },

  {
    path: "dos.device",
    kind: "text",
    default: "/dev/sda1",
    check: "dosDevice",
    section: "initrd",
    uses: ["initrd", "root"],
    label: "DOS partition",
    where: "mount -n -t msdos /dev/hda1 /mnt",
    howto: "“The example below tries to mount /dev/hda1 as an msdos partition…”",
    today: {
      howto: "/dev/hda1",
      here: "/dev/sda1",
      why: "Linux 6.x has no old IDE driver (block major 3); the PIIX IDE controller is driven by libata and its disks appear as SCSI disks (major 8).",
    },
  },
  {
    path: "dos.fsType",
    kind: "choice",
    default: "msdos",
    options: [
      { value: "msdos", label: "msdos (8.3 names, as in the HOWTO)" },
      { value: "vfat", label: "vfat (long names)" },
    ],
    section: "initrd",
    uses: ["initrd", "root"],
    label: "Filesystem type",
    where: "mount -t …",
    howto: "“…the msdos filesystem support which is required to mount the DOS partitition.”",
  },
  {
    path: "dos.openPermissions",
    kind: "bool",
    default: false,
    section: "initrd",
    uses: ["initrd"],
    label: "Let non-root users write to DOS",
    where: "-o uid=0,gid=0,umask=000,quiet",
    howto:
      "“If you want to be able to write to the DOS partition as a non-root user… use mount -n -t msdos /dev/hda1 /mnt -o uid=0,gid=0,umask=000,quiet instead.”",
  },
  {
    path: "dos.directory",
    kind: "text",
    default: "LINUX",
    check: "dosDirectory",
    section: "dosdir",
    uses: ["initrd", "disk"],
    label: "DOS directory",
    where: "C:\\LINUX",
    howto: "“The files that are required in the DOS directory called C:\\LINUX are the following…”",
  },
  {
    path: "dos.rootFile",
    kind: "text",
    default: "LINUXDSK.IMG",
    check: "dosFile",
    section: "dosdir",
    uses: ["initrd", "disk"],
    label: "Root image file",
    howto: "“LINUXDSK.IMG The disk image that will become the root device.”",
  },
  {
    path: "dos.swapFile",
    kind: "text",
    default: "LINUXSWP.IMG",
    check: "dosFile",
    section: "dosdir",
    uses: ["initrd", "disk"],
    label: "Swap image file",
    howto: "“LINUXSWP.IMG The swap space.”",
  },

  {
    path: "root.sizeMiB",
    kind: "int",
    default: 24,
    range: [1, 2000],
    unit: "MiB",
    section: "root",
    uses: ["root", "disk"],
    label: "Size",
    howto:
      "“I have used an 80 MB files, but while this was sufficient for an X terminal it may not be enough if you want to use it for much else.”",
  },
  {
    path: "root.blockSize",
    kind: "choice",
    default: 1024,
    options: BLOCK_SIZES,
    section: "root",
    uses: ["root"],
    label: "Block size",
    where: "mke2fs -b …",
    howto: "“You will need to create this in the same way that the initial ramdisk was created, but bigger.”",
  },
  {
    path: "root.bytesPerInode",
    kind: "int",
    default: 4096,
    range: BYTES_PER_INODE,
    unit: "bytes",
    section: "root",
    uses: ["root"],
    label: "Bytes per inode",
    where: "mke2fs -i …",
    howto: "(ours) one inode per 4 KiB is enough for a busybox system.",
  },
  {
    path: "root.reservedPercent",
    kind: "int",
    default: 5,
    range: RESERVED_PERCENT,
    unit: "%",
    section: "root",
    uses: ["root"],
    label: "Reserved blocks",
    where: "mke2fs -m …",
    howto: "(ours) as for the initial ramdisk.",
  },
  {
    path: "root.label",
    kind: "text",
    default: "looproot",
    check: "ext2Label",
    section: "root",
    uses: ["root"],
    label: "Volume label",
    where: "mke2fs -L …",
    howto: `(ours) the ext2 label, at most ${EXT2_LABEL_MAX} bytes.`,
  },
  {
    path: "root.source",
    kind: "choice",
    default: "busybox",
    options: [
      { value: "busybox", label: "built-in busybox system" },
      { value: "tar", label: "my own tar / tar.gz" },
    ],
    section: "root",
    uses: ["root", "floppy"],
    label: "Contents",
    howto:
      "“You can install any Linux installation that you like onto this disk. The easiest way might be to copy an existing Linux installation into it.”",
  },
  {
    path: "root.initrdDir",
    kind: "bool",
    default: true,
    section: "root",
    uses: ["root"],
    label: "Create /initrd",
    where: "mkdir /initrd",
    howto:
      "“Create a directory called /initrd, this is where the initial ramdisk will be mounted once the loopback root filesystem is mounted.”",
  },
  {
    path: "root.dosLink",
    kind: "bool",
    default: true,
    section: "root",
    uses: ["root"],
    label: "Create the /DOS link",
    where: "ln -s /initrd/mnt /DOS",
    howto:
      "“Create a symbolic link called /DOS that points to /initrd/mnt where the real DOS parition will be mounted.”",
  },
  {
    path: "root.fakeMount",
    kind: "bool",
    default: true,
    section: "root",
    uses: ["root"],
    label: "Fake-mount the DOS partition in the rc file",
    where: "mount -f -t msdos /dev/hda1 /initrd/mnt",
    howto:
      "“…a 'fake' mount of the DOS partition so that all programs (like df) will know that the DOS partition is mounted and where to find it.”",
  },
  {
    path: "root.hostname",
    kind: "text",
    default: "looproot",
    check: "hostname",
    section: "root",
    uses: ["root"],
    label: "Host name",
    where: "/etc/hostname",
    howto: "(ours) the name the shell prompt shows.",
  },

  // mkswap's minimum of 10 pages rounds up to 1 MiB; the maximum is the header's page count.
  {
    path: "swap.sizeMiB",
    kind: "int",
    default: 8,
    range: [Math.ceil((SWAP_MIN_PAGES * SWAP_PAGE) / 1048576), Math.floor((SWAP_MAX_PAGES * SWAP_PAGE) / 1048576)],
    unit: "MiB",
    section: "swap",
    uses: ["swap", "disk"],
    label: "Size",
    where: "dd … ; mkswap linuxswap.img",
    howto: "“I would recommend between 8MB and the amount of RAM that you have.”",
  },
  {
    path: "swap.label",
    kind: "text",
    default: "looproot-swap",
    check: "swapLabel",
    section: "swap",
    uses: ["swap"],
    label: "Swap label",
    where: "mkswap -L …",
    howto: `(ours) at most ${SWAP_LABEL_MAX} bytes (mkswap keeps the 16th for the NUL).`,
  },

  // FAT16 with 32 KiB clusters ends just below 2 GiB.
  {
    path: "disk.sizeMiB",
    kind: "int",
    default: 48,
    range: [4, 2047],
    unit: "MiB",
    section: "dosdir",
    uses: ["disk"],
    label: "Hard disk size",
    howto: "(ours) the IDE disk with one FAT16 partition; it must hold both images.",
  },
  {
    path: "disk.label",
    kind: "text",
    default: "LOOPROOT",
    check: "volumeLabel",
    section: "dosdir",
    uses: ["disk"],
    label: "Partition label",
    howto: "(ours) the FAT volume label of C:.",
  },

  {
    path: "floppy.kind",
    kind: "choice",
    default: "1.44M",
    options: FLOPPY_KINDS,
    section: "floppy",
    uses: ["floppy"],
    label: "Floppy",
    howto: "“This is created using format a: /s from DOS.”",
  },
  {
    path: "floppy.label",
    kind: "text",
    default: "LRBOOT",
    check: "volumeLabel",
    section: "floppy",
    uses: ["floppy"],
    label: "Floppy label",
    where: "format a: /s /v:…",
    howto: "(ours) the FAT volume label of A:.",
  },

  {
    path: "boot.loadlinPath",
    kind: "text",
    default: "\\loadlin",
    check: "floppyPath",
    section: "floppy",
    uses: ["floppy"],
    label: "LOADLIN",
    where: "\\loadlin …",
    howto: "“LOADLIN.EXE The LOADLIN program executable.”",
  },
  {
    path: "boot.kernelPath",
    kind: "text",
    default: "\\zImage",
    check: "floppyPath",
    section: "floppy",
    uses: ["floppy"],
    label: "Kernel",
    where: "… \\zImage …",
    howto: "“ZIMAGE The Linux kernel.”",
    today: {
      howto: "zImage (make zImage)",
      here: "a bzImage copied as ZIMAGE",
      why: "Today's x86 kernels only build bzImage; LOADLIN 1.6f loads it high. The HOWTO's file name is kept.",
    },
  },
  {
    path: "boot.initrdPath",
    kind: "text",
    default: "\\initrdgz.img",
    check: "floppyPath",
    section: "floppy",
    uses: ["floppy"],
    label: "Initial ramdisk",
    where: "initrd=\\initrdgz.img",
    howto: "“INITRDGZ.IMG The compressed initial ramdisk image.”",
  },
  {
    path: "boot.kernel",
    kind: "choice",
    default: "auto",
    section: "floppy",
    uses: ["floppy", "disk"],
    label: "Which kernel",
    options: [
      { value: "auto", label: "auto: the HOWTO's for the built-in root, the distribution's for your root" },
      { value: "howto", label: "the HOWTO's (small, on the floppy)" },
      { value: "distro", label: "the distribution's (systemd, network; in C:\\LINUX)" },
    ],
    where: "… c:\\linux\\zImage … (distribution kernel)",
    howto:
      "(ours) “ZIMAGE The Linux kernel.” Today's distributions need a bigger kernel than the floppy holds; LOADLIN reads it from C:.",
    today: {
      howto: "one kernel, ZIMAGE on the boot floppy",
      here: "the HOWTO kernel on the floppy; for a root tarball, a distribution kernel in C:\\LINUX",
      why: "Today's distributions (systemd, udev, D-Bus, DHCP) need sockets, cgroups, namespaces, network cards and ext4; that kernel is too big for a 1.44 MB floppy, and LOADLIN reads it from C: as well.",
    },
  },
  {
    path: "boot.root",
    kind: "text",
    default: "/dev/loop0",
    check: "loopDevice",
    section: "floppy",
    uses: ["floppy"],
    label: "Root device",
    where: "root=/dev/loop0",
    howto: "“…the root device after the initial ramdisk has finished…”",
  },
  {
    path: "boot.readOnly",
    kind: "bool",
    default: true,
    section: "floppy",
    uses: ["floppy"],
    label: "Mount the root read-only first",
    where: "ro",
    howto: "“…and that the root partition is to be mounted read-only.”",
  },
  {
    path: "boot.extraArgs",
    kind: "text",
    default: "console=tty0 console=ttyS0,115200",
    check: "kernelArgs",
    section: "floppy",
    uses: ["floppy", "boot"],
    label: "More kernel arguments",
    howto: "(ours) appended to the kernel command line.",
    today: {
      howto: "(none)",
      here: "console=tty0 console=ttyS0,115200",
      why: "Kernel messages go to the screen and to the serial port, where the boot harness reads them, at the rate LRDOS sets COM1 to (115200, a 16550A's top rate: a timed UART carries the kernel's lines 12 times faster than the kernel's own 9600); another rate there goes into LRDOS's CONFIG.SYS too.",
    },
  },
  {
    path: "boot.paramsFile",
    kind: "bool",
    default: false,
    section: "floppy",
    uses: ["floppy"],
    label: "Put the options in a LOADLIN @params file",
    where: "\\loadlin @\\LOADLIN.PAR",
    howto: "(ours) for command lines longer than the 126 characters DOS passes to a program.",
  },

  // The least is what the kernel and initrd need (src/howto/memory.ts).
  {
    path: "machine.memoryMiB",
    kind: "int",
    default: 64,
    range: [4, 1024],
    unit: "MiB",
    section: "machine",
    uses: ["boot"],
    label: "RAM",
    howto: "“…between 8MB and the amount of RAM that you have.” (3.5, about swap)",
  },
] as const satisfies readonly SettingRow[];
