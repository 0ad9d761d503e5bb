// What to try when a boot fails: one sentence and the config's fields that most likely caused it.
// Two sources, in this order: verdictHint reads the guest's lines and the kernel arguments for the
// causes the failure and its stage alone cannot tell (an init= argument, a kernel that lacks what
// systemd needs, an init that ran and ended), and the harness gives its answer with the failure;
// hintFor takes that one first, else the tables keyed by the failure's id and by the stage a boot
// stalled at. Pure: the page turns `fields` into links, the CLI prints them.

import type { LooprootConfig } from "../src/config.ts";
import { userInitArg } from "../src/howto/bootfloppy.ts";
import type { FailureEvent, FailureId, MilestoneId } from "./milestones.ts";

export interface Hint {
  /** What probably went wrong and what to change, in the form's terms. */
  sentence: string;
  /** The config's fields to look at, most likely first (only fields the config has: the page links them). */
  fields: string[];
}

/** What the page knows about the build that booted (to pick between causes). */
export interface HintContext {
  /** The floppy carries the user's own DOS rather than LRDOS. */
  ownDos: boolean;
  /** The root is the user's tarball. */
  ownRoot: boolean;
}

type HintRule = Hint | ((stage: MilestoneId, ctx: HintContext) => Hint);

const ownDosOrFloppy = (ctx: HintContext): Hint =>
  ctx.ownDos
    ? {
        sentence:
          "The PC did not get from the floppy's boot sector to a DOS prompt: the uploaded DOS floppy's boot sector must load its own system files. Try another system floppy, or LRDOS.",
        fields: ["dos.system"],
      }
    : {
        sentence:
          "The PC did not get from the floppy to a DOS prompt: check the floppy kind, or bring your own DOS floppy.",
        fields: ["floppy.kind", "dos.system"],
      };

const initProblem = (ctx: HintContext): Hint =>
  ctx.ownRoot
    ? {
        sentence:
          "The loop root was mounted, but its init could not run: the root tarball needs a working i386 /bin/sh and /sbin/init (statically linked, or with their libraries in the tarball).",
        fields: ["root.archive", "root.source"],
      }
    : {
        sentence:
          "The loop root was mounted, but its init could not run: check the root's size and inodes, or go back to the defaults.",
        fields: ["root.sizeMiB", "root.bytesPerInode"],
      };

/** By failure id (FAILURES of emulator/milestones.ts, and the harness's own); a stall goes by its stage. */
export const HINTS_BY_FAILURE: Partial<Record<FailureId, HintRule>> = {
  "dos-kernel": (_s, ctx) => ownDosOrFloppy(ctx),
  "autoexec-command": {
    sentence:
      "DOS could not find the program on AUTOEXEC.BAT's line: check the LOADLIN path (a path from the floppy's root, like \\loadlin).",
    fields: ["boot.loadlinPath"],
  },
  loadlin: {
    sentence:
      "LOADLIN could not load Linux: check the kernel and initial ramdisk paths on the LOADLIN line, and give the PC more RAM.",
    fields: ["boot.kernelPath", "boot.initrdPath", "machine.memoryMiB"],
  },
  "linuxrc-mount": {
    sentence:
      "/linuxrc could not mount the DOS partition: the hard disk's one partition is /dev/sda1, mounted as msdos or vfat.",
    fields: ["dos.device", "dos.fsType"],
  },
  "dos-not-fat": {
    sentence:
      "The kernel found no FAT filesystem where /linuxrc looked: check the DOS partition and its filesystem type.",
    fields: ["dos.device", "dos.fsType"],
  },
  losetup: {
    sentence:
      "/linuxrc mounted the DOS partition but could not attach the image files: check the DOS directory and the root and swap image file names.",
    fields: ["dos.directory", "dos.rootFile", "dos.swapFile"],
  },
  "root-mount": {
    sentence:
      "The kernel could not mount the loop root: the root device must be /dev/loop0, the image /linuxrc attaches the root file to.",
    fields: ["boot.root", "dos.rootFile"],
  },
  panic: (stage, ctx) =>
    ["init", "swap", "dos-readable", "loop-root", "init-ready"].includes(stage) ||
    (stage === "old-root-moved" && ctx.ownRoot)
      ? initProblem(ctx)
      : ["kernel", "initrd"].includes(stage)
        ? {
            sentence:
              "The kernel stopped while it unpacked the initial ramdisk: give the PC more RAM, or check the initial ramdisk's size.",
            fields: ["machine.memoryMiB", "initrd.sizeKiB"],
          }
        : {
            sentence: "The kernel stopped before the loop root was up: check the root device and the initial ramdisk.",
            fields: ["boot.root", "initrd.sizeKiB"],
          },
  "init-not-started": (_s, ctx) => initProblem(ctx),
  "init-exited": (_s, ctx) => initProblem(ctx),
  "init-froze": {
    sentence:
      "The root's own init stopped itself after looproot's report: its last lines say why (systemd's \"Failed to mount API filesystems\" means the kernel lacks what systemd needs).",
    fields: ["root.archive", "root.source"],
  },
  "shell-as-init": {
    sentence: "A shell runs as PID 1 instead of the loop root's init: remove init= from the kernel arguments.",
    fields: ["boot.extraArgs"],
  },
  cpu: {
    sentence: "The kernel's setup code refused this PC's processor: put a kernel built for it on the floppy.",
    fields: ["boot.kernelPath"],
  },
  "video-mode": {
    sentence:
      "The kernel's setup code waits for a video mode at the keyboard: remove vga= from the kernel arguments (or give a mode the PC's card has).",
    fields: ["boot.extraArgs"],
  },
  "setup-stopped": {
    sentence: "The kernel stopped before its first line: check the kernel file, and give the PC more RAM.",
    fields: ["boot.kernelPath", "machine.memoryMiB"],
  },
  swapon: {
    sentence: "The loop root is up but swapon refused /dev/loop1: check the swap image's size and file name.",
    fields: ["swap.sizeMiB", "dos.swapFile"],
  },
};

/** By the milestone a boot stalled at, when no failure line names the cause. */
export const HINTS_BY_STAGE: Record<MilestoneId, HintRule> = {
  bios: (_s, ctx) => ownDosOrFloppy(ctx),
  dos: (_s, ctx) => ownDosOrFloppy(ctx),
  autoexec: {
    sentence: "DOS started but AUTOEXEC.BAT's line did not run: check the LOADLIN path, or the @params file option.",
    fields: ["boot.loadlinPath", "boot.paramsFile"],
  },
  loadlin: {
    sentence: "LOADLIN did not start: check the LOADLIN path on AUTOEXEC.BAT's line.",
    fields: ["boot.loadlinPath"],
  },
  kernel: {
    sentence: "LOADLIN ran but Linux did not start: check the kernel path, and give the PC more RAM.",
    fields: ["boot.kernelPath", "machine.memoryMiB"],
  },
  initrd: {
    sentence: "Linux started but did not find the initial ramdisk: check the initial ramdisk path and its size.",
    fields: ["boot.initrdPath", "initrd.sizeKiB", "machine.memoryMiB"],
  },
  "linuxrc-mount": {
    sentence: "/linuxrc did not mount the DOS partition: check the DOS partition and the filesystem type.",
    fields: ["dos.device", "dos.fsType"],
  },
  "loop-setup": {
    sentence: "/linuxrc did not attach the image files: check the DOS directory and the image file names.",
    fields: ["dos.directory", "dos.rootFile", "dos.swapFile"],
  },
  "root-mounted": {
    sentence: "The kernel did not mount the loop root: the root device must be /dev/loop0.",
    fields: ["boot.root"],
  },
  "old-root-moved": {
    sentence: "The old initrd root was not moved to /initrd: the root needs the /initrd directory.",
    fields: ["root.initrdDir"],
  },
  init: (_s, ctx) => initProblem(ctx),
  swap: {
    sentence: "init did not turn on swap on /dev/loop1: check the swap image.",
    fields: ["swap.sizeMiB", "dos.swapFile"],
  },
  "dos-readable": {
    sentence:
      "The DOS partition was not readable at /DOS: check the /initrd directory, the /DOS link and the fake mount.",
    fields: ["root.initrdDir", "root.dosLink", "root.fakeMount"],
  },
  "loop-root": {
    sentence: "init ran the rc lines but looproot's report did not end: check the root's size and the swap image.",
    fields: ["root.sizeMiB", "swap.sizeMiB"],
  },
  "init-ready": (_s, ctx) =>
    ctx.ownRoot
      ? {
          sentence:
            "looproot's report proved the loop root, but the root's own init showed no sign of being ready (a login prompt, systemd's default target, a runlevel, a shell on the serial console): its last lines show how far it got.",
          fields: ["root.archive"],
        }
      : {
          sentence: "No shell answered on the serial console: the kernel arguments must keep console=ttyS0.",
          fields: ["boot.extraArgs"],
        },
};

const apply = (rule: HintRule | undefined, stage: MilestoneId, ctx: HintContext) =>
  typeof rule === "function" ? rule(stage, ctx) : rule;

/** The hint for a failed boot: the harness's (verdictHint), else by its failure, else by the stage it stalled at. */
export function hintFor(failure: Pick<FailureEvent, "id" | "stage" | "hint">, ctx: HintContext): Hint | undefined {
  // The harness's own hint, from the guest's lines and the kernel arguments, knows the cause best.
  if (failure.hint) return failure.hint;
  return (
    apply(HINTS_BY_FAILURE[failure.id], failure.stage, ctx) ?? apply(HINTS_BY_STAGE[failure.stage], failure.stage, ctx)
  );
}

// ---------------------------------------------------------------------------------------------
// From the guest's lines and the kernel arguments

const INIT_STAGES = new Set<MilestoneId>([
  "root-mounted",
  "old-root-moved",
  "init",
  "swap",
  "dos-readable",
  "loop-root",
  "init-ready",
]);

/** The hint for a failure, when the guest's lines or the kernel arguments name its cause. */
export function verdictHint(
  failure: Pick<FailureEvent, "id" | "stage">,
  config: LooprootConfig,
  lines: string[],
): Hint | undefined {
  const text = lines.join("\n");
  const init = userInitArg(config);
  if (init && INIT_STAGES.has(failure.stage)) {
    return {
      sentence: `The kernel arguments say ${init} (boot.extraArgs): the kernel ran that program as init instead of the loop root's own init, so looproot's rc and the root's system never ran. Remove ${init} to boot the loop root as the HOWTO does.`,
      fields: ["boot.extraArgs"],
    };
  }
  if (/Failed to mount API filesystems/.test(text)) {
    return {
      sentence:
        'systemd could not mount its API filesystems (cgroups, autofs, Unix sockets are missing): this kernel lacks what systemd needs. Choose the distribution kernel (boot.kernel = "distro"), or a root with sysvinit, OpenRC or runit.',
      fields: ["root.source"],
    };
  }
  // An init that ran and ended; one the wrapper could not start at all is the tables' case (a working i386 /sbin/init).
  // (The shell execs /sbin/init; a file the kernel refuses it then reads as a script: "line 1: ...".)
  const notStarted =
    /\/sbin\/init: (?:line 1: |.*(?:Exec format error|not found|No such file|Permission denied|can't execute))/.test(
      text,
    );
  if (failure.id === "init-exited" && failure.stage === "init-ready" && !notStarted) {
    return {
      sentence:
        "The root's own /sbin/init ended after looproot's report (PID 1 must run for as long as the system does): its last lines say why.",
      fields: ["root.source"],
    };
  }
  return undefined;
}
