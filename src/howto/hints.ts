// What to try when a boot fails: one sentence per failure and the choices that most likely caused
// it. Keyed on the failure's title (the FAILURES table's words) and, for a boot that stalled without
// a failure line, on the milestone it stalled at; both keys are plain strings so the tables can be
// re-keyed when the milestone table moves. Pure: the page turns `fields` into links.

export interface Hint {
  /** What probably went wrong and what to change, in the form's terms. */
  sentence: string;
  /** The choices to look at, most likely first. */
  fields: string[];
}

/** What the page knows about the build that booted (to pick between causes). */
export interface HintContext {
  /** The floppy carries the user's own DOS rather than LRDOS. */
  ownDos: boolean;
  /** The root is the user's tarball. */
  ownRoot: boolean;
}

type HintRule = Hint | ((stage: string, ctx: HintContext) => Hint);

const ownDosOrFloppy = (ctx: HintContext): Hint =>
  ctx.ownDos
    ? { sentence: "The PC did not get from the floppy's boot sector to a DOS prompt: the uploaded DOS floppy's boot sector must load its own system files. Try another system floppy, or LRDOS.", fields: ["dos.system"] }
    : { sentence: "The PC did not get from the floppy to a DOS prompt: check the floppy kind, or bring your own DOS floppy.", fields: ["floppy.kind", "dos.system"] };

const initProblem = (ctx: HintContext): Hint =>
  ctx.ownRoot
    ? { sentence: "The loop root was mounted, but its init could not run: the root tarball needs a working i386 /bin/sh and /sbin/init (statically linked, or with their libraries in the tarball).", fields: ["root.archive", "root.source"] }
    : { sentence: "The loop root was mounted, but its init could not run: check the root's size and inodes, or go back to the defaults.", fields: ["root.sizeMiB", "root.bytesPerInode"] };

/** By failure title (emulator/milestones.ts FAILURES). */
export const HINTS_BY_FAILURE: Record<string, HintRule> = {
  "DOS could not load its kernel": (_s, ctx) => ownDosOrFloppy(ctx),
  "AUTOEXEC.BAT: a command was not found": { sentence: "DOS could not find the program on AUTOEXEC.BAT's line: check the LOADLIN path (a path from the floppy's root, like \\loadlin).", fields: ["boot.loadlinPath"] },
  "LOADLIN failed": { sentence: "LOADLIN could not load Linux: check the kernel and initial ramdisk paths on the LOADLIN line, and give the PC more RAM.", fields: ["boot.kernelPath", "boot.initrdPath", "machine.memoryMiB"] },
  "/linuxrc could not mount the DOS partition": { sentence: "/linuxrc could not mount the DOS partition: the hard disk's one partition is /dev/sda1, mounted as msdos or vfat.", fields: ["dos.device", "dos.fsType"] },
  "the DOS partition is not a readable FAT filesystem": { sentence: "The kernel found no FAT filesystem where /linuxrc looked: check the DOS partition and its filesystem type.", fields: ["dos.device", "dos.fsType"] },
  "/linuxrc could not set up a loop device": { sentence: "/linuxrc mounted the DOS partition but could not attach the image files: check the DOS directory and the root and swap image file names.", fields: ["dos.directory", "dos.rootFile", "dos.swapFile"] },
  "the kernel could not mount the root filesystem": { sentence: "The kernel could not mount the loop root: the root device must be /dev/loop0, the image /linuxrc attaches the root file to.", fields: ["boot.root", "dos.rootFile"] },
  "kernel panic": (stage, ctx) =>
    ["init", "swap", "dos-readable", "loop-root", "init-ready"].includes(stage) || (stage === "old-root-moved" && ctx.ownRoot)
      ? initProblem(ctx)
      : ["kernel", "initrd"].includes(stage)
        ? { sentence: "The kernel stopped while it unpacked the initial ramdisk: give the PC more RAM, or check the initial ramdisk's size.", fields: ["machine.memoryMiB", "initrd.sizeKiB"] }
        : { sentence: "The kernel stopped before the loop root was up: check the root device and the initial ramdisk.", fields: ["boot.root", "initrd.sizeKiB"] },
  "init could not start": (_s, ctx) => initProblem(ctx),
  "init exited": (_s, ctx) => initProblem(ctx),
  "the root's init froze": { sentence: "The root's own init stopped itself after looproot's report: its last lines say why (systemd's \"Failed to mount API filesystems\" means the kernel lacks what systemd needs).", fields: ["root.archive", "root.source"] },
  "a shell runs as init instead of the loop root's init": { sentence: "A shell runs as PID 1 instead of the loop root's init: remove init= from the kernel arguments.", fields: ["boot.extraArgs"] },
  "the kernel refused this CPU": { sentence: "The kernel's setup code refused this PC's processor: put a kernel built for it on the floppy.", fields: ["boot.kernelPath"] },
  "the kernel's setup code asks for a video mode": { sentence: "The kernel's setup code waits for a video mode at the keyboard: remove vga= from the kernel arguments (or give a mode the PC's card has).", fields: ["boot.extraArgs"] },
  "the kernel's setup code stopped": { sentence: "The kernel stopped before its first line: check the kernel file, and give the PC more RAM.", fields: ["boot.kernelPath", "machine.memoryMiB"] },
  "swapon failed": { sentence: "The loop root is up but swapon refused /dev/loop1: check the swap image's size and file name.", fields: ["swap.sizeMiB", "dos.swapFile"] },
};

/** By the milestone a boot stalled at, when no failure line names the cause. */
export const HINTS_BY_STAGE: Record<string, HintRule> = {
  bios: (_s, ctx) => ownDosOrFloppy(ctx),
  dos: (_s, ctx) => ownDosOrFloppy(ctx),
  autoexec: { sentence: "DOS started but AUTOEXEC.BAT's line did not run: check the LOADLIN path, or the @params file option.", fields: ["boot.loadlinPath", "boot.paramsFile"] },
  loadlin: { sentence: "LOADLIN did not start: check the LOADLIN path on AUTOEXEC.BAT's line.", fields: ["boot.loadlinPath"] },
  kernel: { sentence: "LOADLIN ran but Linux did not start: check the kernel path, and give the PC more RAM.", fields: ["boot.kernelPath", "machine.memoryMiB"] },
  initrd: { sentence: "Linux started but did not find the initial ramdisk: check the initial ramdisk path and its size.", fields: ["boot.initrdPath", "initrd.sizeKiB", "machine.memoryMiB"] },
  "linuxrc-mount": { sentence: "/linuxrc did not mount the DOS partition: check the DOS partition and the filesystem type.", fields: ["dos.device", "dos.fsType"] },
  "loop-setup": { sentence: "/linuxrc did not attach the image files: check the DOS directory and the image file names.", fields: ["dos.directory", "dos.rootFile", "dos.swapFile"] },
  "root-mounted": { sentence: "The kernel did not mount the loop root: the root device must be /dev/loop0.", fields: ["boot.root"] },
  "old-root-moved": { sentence: "The old initrd root was not moved to /initrd: the root needs the /initrd directory.", fields: ["root.initrdDir"] },
  init: (_s, ctx) => initProblem(ctx),
  swap: { sentence: "init did not turn on swap on /dev/loop1: check the swap image.", fields: ["swap.sizeMiB", "dos.swapFile"] },
  "dos-readable": { sentence: "The DOS partition was not readable at /DOS: check the /initrd directory, the /DOS link and the fake mount.", fields: ["root.initrdDir", "root.dosLink", "root.fakeMount"] },
  "loop-root": { sentence: "init ran the rc lines but looproot's report did not end: check the root's size and the swap image.", fields: ["root.sizeMiB", "swap.sizeMiB"] },
  "init-ready": (_s, ctx) => (ctx.ownRoot ? { sentence: "looproot's report proved the loop root, but the root's own init showed no sign of being ready (a login prompt, systemd's default target, a runlevel, a shell on the serial console): its last lines show how far it got.", fields: ["root.archive"] } : { sentence: "No shell answered on the serial console: the kernel arguments must keep console=ttyS0.", fields: ["boot.extraArgs"] }),
};

const apply = (rule: HintRule | undefined, stage: string, ctx: HintContext) => (typeof rule === "function" ? rule(stage, ctx) : rule);

/** The hint for a failed boot: the harness's, else by its failure line, else by the stage it stalled at. */
export function hintFor(failure: { stage: string; title: string; hint?: Hint }, ctx: HintContext): Hint | undefined {
  // The harness's own hint, from the guest's lines and the kernel arguments, knows the cause best.
  if (failure.hint) return failure.hint;
  return apply(HINTS_BY_FAILURE[failure.title], failure.stage, ctx) ?? apply(HINTS_BY_STAGE[failure.stage], failure.stage, ctx);
}
