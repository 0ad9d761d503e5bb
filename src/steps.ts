// The build's steps in the order they run, with the HOWTO section each carries out: src/build.ts
// reports them, the page lists them before the build starts (this module is small so the page's
// main thread can import it without the whole core).

import type { LooprootConfig } from "./config.ts";

export type StepId = "check" | "initrd" | "floppy" | "root" | "swap" | "disk";

/** The build's steps in the order they run, with the HOWTO section each carries out (the page lists them too). */
export const BUILD_STEPS: readonly {
  id: StepId;
  section: string;
  title: string;
  long: (c: LooprootConfig) => string;
}[] = [
  { id: "check", section: "3", title: "Check the choices", long: () => "Check the choices" },
  { id: "initrd", section: "3.3", title: "Initial ramdisk", long: () => "Initial ramdisk (mke2fs, gzip -9)" },
  {
    id: "floppy",
    section: "3.7",
    title: "Boot floppy",
    long: () => "Boot floppy (format a: /s, AUTOEXEC.BAT, LOADLIN, ZIMAGE, INITRDGZ.IMG)",
  },
  { id: "root", section: "3.4", title: "Root device", long: () => "Root device (LINUXDSK.IMG)" },
  { id: "swap", section: "3.5", title: "Swap device", long: () => "Swap device (LINUXSWP.IMG, mkswap)" },
  {
    id: "disk",
    section: "3.6",
    title: "DOS directory on the hard disk",
    long: (c) => "DOS directory C:\\" + c.dos.directory + " on a FAT16 partition",
  },
];
