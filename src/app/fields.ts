// The choices the HOWTO's sections 3.3 to 3.7 leave to the reader, in its order, each with the
// HOWTO's own line of explanation. The form is generated from this table.

import { safeText } from "../util/safe.ts";
import { V86_PC } from "../../emulator/pc.ts";
import type { LooprootConfig } from "../config.ts";

export type FieldKind = "int" | "text" | "select" | "bool";

export interface FieldDef {
  path: string;
  label: string;
  kind: FieldKind;
  /** The HOWTO's words for this choice (or, where it says nothing, ours, marked as such). */
  howto: string;
  /** The command or file line of the HOWTO the value goes into. */
  where?: string;
  unit?: string;
  options?: { value: string | number; label: string }[];
}

export interface SectionDef {
  id: string;
  section: string;
  title: string;
  intro: string;
  fields: FieldDef[];
  /** HOWTO_DIFFERENCES entries shown with the section rather than a single field. */
  notes?: string[];
}

const blockSizes = [1024, 2048, 4096].map((v) => ({ value: v, label: `${v} bytes` }));

export const SECTIONS: SectionDef[] = [
  {
    id: "initrd",
    section: "3.3",
    title: "The initial ramdisk",
    intro: "An ext2 image with /linuxrc, a shell, mount and losetup, gzip'd for the floppy.",
    notes: ["linuxrc", "initrd /lib and /etc", "initrd /dev"],
    fields: [
      { path: "initrd.sizeKiB", label: "Size", kind: "int", unit: "KiB", where: "dd if=/dev/zero of=initrd.img bs=1k count=…", howto: "“Here I have used 1024kB, you may need less or more depending on the contents.”" },
      { path: "initrd.blockSize", label: "Block size", kind: "select", options: blockSizes, where: "mke2fs -b …", howto: "“Make an ext2 filesystem on the empty file.” (mke2fs -b 1024)" },
      { path: "initrd.bytesPerInode", label: "Bytes per inode", kind: "int", unit: "bytes", where: "mke2fs -i …", howto: "mke2fs -i 1024: one inode for each KiB, plenty for many small files and device nodes." },
      { path: "initrd.reservedPercent", label: "Reserved blocks", kind: "int", unit: "%", where: "mke2fs -m …", howto: "mke2fs -m 5: the blocks kept for root, as in the HOWTO's command." },
      { path: "dos.device", label: "DOS partition", kind: "text", where: "mount -n -t msdos /dev/hda1 /mnt", howto: "“The example below tries to mount /dev/hda1 as an msdos partition…”" },
      { path: "dos.fsType", label: "Filesystem type", kind: "select", options: [{ value: "msdos", label: "msdos (8.3 names, as in the HOWTO)" }, { value: "vfat", label: "vfat (long names)" }], where: "mount -t …", howto: "“…the msdos filesystem support which is required to mount the DOS partitition.”" },
      { path: "dos.openPermissions", label: "Let non-root users write to DOS", kind: "bool", where: "-o uid=0,gid=0,umask=000,quiet", howto: "“If you want to be able to write to the DOS partition as a non-root user… use mount -n -t msdos /dev/hda1 /mnt -o uid=0,gid=0,umask=000,quiet instead.”" },
    ],
  },
  {
    id: "root",
    section: "3.4",
    title: "The root device",
    intro: "LINUXDSK.IMG: the ext2 filesystem that becomes / on /dev/loop0.",
    fields: [
      { path: "root.source", label: "Contents", kind: "select", options: [{ value: "busybox", label: "built-in busybox system" }, { value: "tar", label: "my own tar / tar.gz" }], howto: "“You can install any Linux installation that you like onto this disk. The easiest way might be to copy an existing Linux installation into it.”" },
      { path: "root.sizeMiB", label: "Size", kind: "int", unit: "MiB", howto: "“I have used an 80 MB files, but while this was sufficient for an X terminal it may not be enough if you want to use it for much else.”" },
      { path: "root.blockSize", label: "Block size", kind: "select", options: blockSizes, where: "mke2fs -b …", howto: "“You will need to create this in the same way that the initial ramdisk was created, but bigger.”" },
      { path: "root.bytesPerInode", label: "Bytes per inode", kind: "int", unit: "bytes", where: "mke2fs -i …", howto: "(ours) one inode per 4 KiB is enough for a busybox system." },
      { path: "root.reservedPercent", label: "Reserved blocks", kind: "int", unit: "%", where: "mke2fs -m …", howto: "(ours) as for the initial ramdisk." },
      { path: "root.label", label: "Volume label", kind: "text", where: "mke2fs -L …", howto: "(ours) the ext2 label, at most 16 bytes." },
      { path: "root.hostname", label: "Host name", kind: "text", where: "/etc/hostname", howto: "(ours) the name the shell prompt shows." },
      { path: "root.initrdDir", label: "Create /initrd", kind: "bool", where: "mkdir /initrd", howto: "“Create a directory called /initrd, this is where the initial ramdisk will be mounted once the loopback root filesystem is mounted.”" },
      { path: "root.dosLink", label: "Create the /DOS link", kind: "bool", where: "ln -s /initrd/mnt /DOS", howto: "“Create a symbolic link called /DOS that points to /initrd/mnt where the real DOS parition will be mounted.”" },
      { path: "root.fakeMount", label: "Fake-mount the DOS partition in the rc file", kind: "bool", where: "mount -f -t msdos /dev/hda1 /initrd/mnt", howto: "“…a 'fake' mount of the DOS partition so that all programs (like df) will know that the DOS partition is mounted and where to find it.”" },
    ],
  },
  {
    id: "swap",
    section: "3.5",
    title: "The swap device",
    intro: "LINUXSWP.IMG: an empty file initialised with mkswap, swapped on as /dev/loop1.",
    fields: [
      { path: "swap.sizeMiB", label: "Size", kind: "int", unit: "MiB", where: "dd … ; mkswap linuxswap.img", howto: "“I would recommend between 8MB and the amount of RAM that you have.”" },
      { path: "swap.label", label: "Swap label", kind: "text", where: "mkswap -L …", howto: "(ours) at most 16 bytes." },
    ],
  },
  {
    id: "dosdir",
    section: "3.6",
    title: "The MS-DOS directory",
    intro: "C:\\LINUX on the hard disk's FAT16 partition holds the two image files.",
    fields: [
      { path: "dos.directory", label: "DOS directory", kind: "text", where: "C:\\LINUX", howto: "“The files that are required in the DOS directory called C:\\LINUX are the following…”" },
      { path: "dos.rootFile", label: "Root image file", kind: "text", howto: "“LINUXDSK.IMG The disk image that will become the root device.”" },
      { path: "dos.swapFile", label: "Swap image file", kind: "text", howto: "“LINUXSWP.IMG The swap space.”" },
      { path: "disk.sizeMiB", label: "Hard disk size", kind: "int", unit: "MiB", howto: "(ours) the IDE disk with one FAT16 partition; it must hold both images." },
      { path: "disk.label", label: "Partition label", kind: "text", howto: "(ours) the FAT volume label of C:." },
    ],
  },
  {
    id: "floppy",
    section: "3.7",
    title: "The boot floppy",
    intro: "“The boot floppy that is used is just a normal DOS format bootable floppy.” (format a: /s)",
    fields: [
      { path: "floppy.kind", label: "Floppy", kind: "select", options: ["360K", "720K", "1.2M", "1.44M", "2.88M"].map((v) => ({ value: v, label: v })), howto: "“This is created using format a: /s from DOS.”" },
      { path: "floppy.label", label: "Floppy label", kind: "text", where: "format a: /s /v:…", howto: "(ours) the FAT volume label of A:." },
      { path: "boot.loadlinPath", label: "LOADLIN", kind: "text", where: "\\loadlin …", howto: "“LOADLIN.EXE The LOADLIN program executable.”" },
      { path: "boot.kernelPath", label: "Kernel", kind: "text", where: "… \\zImage …", howto: "“ZIMAGE The Linux kernel.”" },
      { path: "boot.initrdPath", label: "Initial ramdisk", kind: "text", where: "initrd=\\initrdgz.img", howto: "“INITRDGZ.IMG The compressed initial ramdisk image.”" },
      { path: "boot.root", label: "Root device", kind: "text", where: "root=/dev/loop0", howto: "“…the root device after the initial ramdisk has finished…”" },
      { path: "boot.readOnly", label: "Mount the root read-only first", kind: "bool", where: "ro", howto: "“…and that the root partition is to be mounted read-only.”" },
      { path: "boot.extraArgs", label: "More kernel arguments", kind: "text", howto: "(ours) appended to the kernel command line." },
      { path: "boot.paramsFile", label: "Put the options in a LOADLIN @params file", kind: "bool", where: "\\loadlin @\\LOADLIN.PAR", howto: "(ours) for command lines longer than the 126 characters DOS passes to a program." },
    ],
  },
  {
    id: "machine",
    section: "PC",
    title: "The emulated PC",
    // Which PC it is, as measured from a booted guest (emulator/pc.ts): v86 has no other.
    intro: `v86's one fixed PC, with SeaBIOS and a 1.44 MB floppy drive: ${V86_PC.chipset}. Its CPU answers CPUID as ${V86_PC.cpu}. Other PCs (a 486, ISA-only, AHCI) are the command line's: looproot boot --engine qemu --machine isapc|q35 --cpu 486|pentium|… or --engine bochs.`,
    fields: [
      { path: "machine.memoryMiB", label: "RAM", kind: "int", unit: "MiB", howto: "“…between 8MB and the amount of RAM that you have.” (3.5, about swap)" },
      { path: "name", label: "Build name", kind: "text", howto: "(ours) seeds the UUIDs and serial numbers, so the same choices give the same bytes." },
      { path: "time", label: "Timestamp", kind: "int", unit: "s since 1970", howto: "(ours) every file's date; the default is 3 June 1998 08:47, the date of /linuxrc in the HOWTO's listing." },
    ],
  },
];

export const ALL_FIELDS: FieldDef[] = SECTIONS.flatMap((s) => s.fields);

/** Fields outside the table: the uploads. */
const EXTRA_NAMES: Record<string, string> = {
  "root.archive": "Root tarball",
  "dos.system": "DOS for “format a: /s”",
  config: "the config",
};

/**
 * A field's name in the words of the form: its label, with the section's subject where another
 * field has the same label ("Size of the root device").
 */
export function fieldName(path: string): string {
  if (EXTRA_NAMES[path]) return EXTRA_NAMES[path];
  for (const s of SECTIONS) {
    const f = s.fields.find((x) => x.path === path);
    if (!f) continue;
    const shared = ALL_FIELDS.filter((x) => x.label === f.label).length > 1;
    return shared ? `${f.label} of ${s.title.replace(/^The /, "the ").replace(/^An? /, (m) => m.toLowerCase())}` : f.label;
  }
  return path;
}

// Only dotted keys are rewritten: a bare "name" in a message is the English word ("8.3 name").
const PATHS = [...ALL_FIELDS.map((f) => f.path), ...Object.keys(EXTRA_NAMES)].filter((p) => p.includes(".")).sort((a, b) => b.length - a.length);
const PATH_RE = new RegExp(`(?<![\\w.])(${PATHS.map((p) => p.replace(/\./g, "\\.")).join("|")})(?![\\w])`, "g");

/**
 * A problem's message with the internal keys it mentions replaced by the form's labels; a quoted
 * value (the user's own text) is left exactly as it is (control characters shown escaped, long
 * values cut).
 */
export function inWords(message: string): string {
  return safeText(message, 1000).split(/("[^"]*")/).map((part, i) => (i % 2 ? part : part.replace(PATH_RE, (p) => `“${fieldName(p)}”`))).join("");
}

/** A section's intro for these choices: the HOWTO's file and directory names become the chosen ones. */
export function introFor(s: SectionDef, c: LooprootConfig): string {
  return s.intro.replace(/C:\\LINUX\b/g, `C:\\${c.dos.directory}`).replace(/\bLINUXDSK\.IMG\b/g, c.dos.rootFile).replace(/\bLINUXSWP\.IMG\b/g, c.dos.swapFile);
}
