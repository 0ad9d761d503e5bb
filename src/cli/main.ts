// `looproot build | boot | run`: the Node edge of the core. Reads files, calls the pure core,
// writes files; every message names what is wrong and the exit code says whether it worked.

import { describeForCli } from "../errors.ts";
import { UsageError } from "./errors.ts";
import { packageVersion } from "../node/package.ts";
import { ROOT_NEEDS } from "../howto/rootdev.ts";
import { BUILD_INFO_FILE } from "./buildinfo.ts";
import { CPUS } from "../../emulator/pc.ts";
import { BOCHS_CPUS } from "../../emulator/bochs-config.ts";
import { LIMITS } from "../validate.ts";
import { parseArgs, loadConfig } from "./args.ts";
import { runBuild } from "./build.ts";

export { parseArgs, setToPartial, loadConfig, CONFIG_MAX_BYTES, type ParsedArgs } from "./args.ts";
export { runBuild, writeOutputs } from "./build.ts";
export { UsageError };

/** Words of `text` in lines of at most `width` columns, each indented by `indent` spaces. */
function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const w of text.split(" ")) {
    if (line && indent + line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? line + " " + w : w;
  }
  if (line) lines.push(line);
  return lines.map((l) => " ".repeat(indent) + l).join("\n");
}

export const HELP = `looproot: the Loopback Root Filesystem HOWTO (section 3), built as disk images

Usage:
  looproot build --out DIR [--config FILE] [--rootfs TAR] [--dos FLOPPY] [--set KEY=VALUE ...]
  looproot boot  --floppy FILE --disk FILE [--config FILE] [--timeout S] [--json] [--engine E] [PC] [--persist] [--net]
  looproot shell --floppy FILE --disk FILE [--config FILE] [--engine E] [PC] [--persist] [--net]
  looproot run   [--out DIR] [--config FILE] [--rootfs TAR] [--dos FLOPPY] [--set ...] [--timeout S] [--json] [--engine E] [PC] [--net]
  looproot inspect IMAGE [--json]
                             what a floppy, disk, root image or initrd holds: map and files
  looproot config            print the default config as JSON
  looproot --help
  looproot --version         print the package version

build   writes into DIR: floppy.img (the DOS boot floppy, A:), disk.img (the IDE hard disk with the
        FAT16 partition holding C:\\LINUX\\LINUXDSK.IMG and LINUXSWP.IMG), and the intermediate
        files initrd.img, initrdgz.img, linuxdsk.img, linuxswp.img, AUTOEXEC.BAT, linuxrc, fstab
        and the root's rc script, and ${BUILD_INFO_FILE} (the config used and what the images
        hold, which boot reads). The files replace an earlier build as a set: they are written
        to DIR/.partial first, moved into place, files of the earlier set that this one does not
        have are removed, and the manifest looproot-set.json (names, sizes, sha256, the config)
        is written last. A DIR without looproot-set.json, or whose files differ from it, holds
        an incomplete set (the build was interrupted): build again.
boot    boots a floppy and a disk in the emulator and prints the timeline of the boot chain;
        exits 0 only when the guest confirms its root is on /dev/loop0 with swap on /dev/loop1.
        It checks the guest against what was built: ${BUILD_INFO_FILE} beside the disk, or
        else what the images say (see \`looproot boot --help\`).
run     build, then boot (into a temporary folder unless --out is given).
inspect reads any of the images above (recognised by content) and prints its map, like sfdisk -l,
        fsck.fat -v and dumpe2fs together (each region with its byte and sector range and the HOWTO
        step that wrote it), then its files, like debugfs ls -R and mdir -/. --json: the same as data.
shell   boots the images and attaches this terminal to the guest's serial console, to work in the
        loop root; Ctrl-C goes to the guest, Ctrl-] then q leaves. \`poweroff\` at the guest's
        shell ends the session; with --persist the disk keeps the work (leaving shuts it down first).

Options:
  --out DIR          output folder (created if missing)
  --config FILE      a JSON config; missing keys take the defaults (see \`looproot config\`)
  --rootfs TAR       a tar or tar.gz to use as the root filesystem instead of the built-in
                     busybox system (sets root.source to "tar"), e.g. \`tar -C DIR -czf root.tar.gz .\`
${wrap(`of an i386 system. It needs ${ROOT_NEEDS}.`, 21, 100)}
                     looproot adds /sbin/looproot-init (the kernel's init=), which runs the HOWTO's
                     rc lines and then the system's /sbin/init. root.sizeMiB must hold the
                     unpacked files; a build that does not fit says which size does.
  --dos FLOPPY       build: take the DOS (boot sector and system files: IO.SYS, MSDOS.SYS,
                     KERNEL.SYS, COMMAND.COM, any file marked System) from this bootable DOS
                     floppy image instead of looproot's own LRDOS, as "format a: /s" would
  --set KEY=VALUE    change one setting, e.g. --set swap.sizeMiB=16 --set dos.openPermissions=true
  --floppy FILE      boot: the floppy image (A:)
  --disk FILE        boot: the hard disk image (C:)
  --timeout S        boot: give up after S seconds (default 120)
  --json             boot: print the result as JSON
  --engine E         boot, run, shell: v86 (default), qemu (qemu-system-i386) or bochs (Bochs 2.7
                     with its own BIOS; slow)
  PC: --machine M    qemu: pc (i440FX/PIIX3 IDE, the default), isapc (ISA only) or q35 (ICH9 AHCI);
                     bochs: pc or isapc. v86 is one fixed PC (i440FX/PIIX3, a Pentium III).
      --cpu C        qemu: ${CPUS.slice(0, 7).join(", ")},
                     ${CPUS.slice(7).join(", ")} (QEMU's names); bochs: ${Object.keys(BOCHS_CPUS).join(", ")}
      --ram MiB      the machine's RAM (machine.memoryMiB), from the chain's minimum up to ${LIMITS.memoryMiB[1]}
  --persist          boot, run, shell: keep the guest's writes in the disk file (QEMU writes into
                     it as it runs; v86 writes it back, whole, after the guest halts). boot and
                     run then shut the guest down cleanly after the verdict. Without it the
                     image files are never changed.
  --net              boot, run, shell: a network card on the engine's user-mode network; the
                     guest gets its address by DHCP. QEMU: an e1000 card, the host's 127.0.0.1
                     is 10.0.2.2. v86: a virtio card on v86's fetch backend, which carries the
                     guest's HTTP to port 80 through fetch(): http://PORT.external/ is the
                     host's localhost:PORT. Needs a kernel with networking (the distribution
                     kernel).

Exit codes: 0 success, 1 the boot did not reach a verified loop root, 2 bad input (one line
per problem, naming the setting or file and the limit), 3 a bug in looproot (please report it
with the lines printed).
`;

export const BOOT_HELP = `looproot boot: boot a built floppy and disk and verify the loop root

Usage:
  looproot boot --floppy FILE --disk FILE [--engine v86|qemu|bochs] [--timeout S] [--json]
                [--machine M] [--cpu C] [--ram MiB] [--config FILE] [--set KEY=VALUE ...] [--persist] [--net]

What the guest must report (root and swap file names and sizes, root=, the DOS directory) comes
from ${BUILD_INFO_FILE} (or the set manifest looproot-set.json), which build writes beside the
images; when neither is in the folder of --disk or --floppy (or they describe other images), from
the images themselves: the LOADLIN line in
AUTOEXEC.BAT (or LOADLIN.PAR) on the floppy and the directory of C: that holds the ext2 root image
and the swap area. --config and --set change that config (e.g. --set machine.memoryMiB=32).

Options:
  --floppy FILE      the floppy image (A:)
  --disk FILE        the hard disk image (C:)
  --engine E         v86 (default), qemu (qemu-system-i386) or bochs (Bochs 2.7, slow)
  --machine M        qemu: pc, isapc or q35; bochs: pc or isapc (v86 has one fixed PC)
  --cpu C            qemu: ${CPUS.join(", ")}; bochs: ${Object.keys(BOCHS_CPUS).join(", ")}
  --ram MiB          the machine's RAM, from the chain's minimum up to 1024
  --timeout S        give up after S seconds (1..3600, default 120)
  --json             print the result as JSON
  --net              a network card on the engine's user-mode network (see looproot --help)
  --config FILE      a JSON config on top of what was built
  --set KEY=VALUE    change one setting on top of what was built

Exit codes: 0 verified, 1 the boot did not reach a verified loop root, 2 bad input.
`;

export async function main(
  argv: string[],
  io = { out: (s: string) => console.log(s), err: (s: string) => console.error(s) },
): Promise<number> {
  if (argv[0] === "inspect") {
    const { inspectCommand } = await import("./inspect.ts");
    return inspectCommand(argv.slice(1), io);
  }
  try {
    const args = parseArgs(argv);
    if (args.flags.has("--version")) {
      io.out(packageVersion());
      return 0;
    }
    if (args.flags.has("--help") || args.command === "help" || argv.length === 0) {
      io.out(args.command === "boot" ? BOOT_HELP : HELP);
      return 0;
    }
    switch (args.command) {
      case "config":
        io.out(JSON.stringify(loadConfig(args), null, 2));
        return 0;
      case "build":
        io.out("looproot build: HOWTO section 3");
        runBuild(args, io.out);
        return 0;
      case "boot":
      case "run": {
        const { bootCommand } = await import("./boot.ts");
        return await bootCommand(args, io);
      }
      case "shell": {
        const { shellCommand } = await import("./shell.ts");
        return await shellCommand(args);
      }
      default:
        throw new UsageError(
          args.command
            ? `unknown command ${args.command} (build, boot, run, shell, inspect, config)`
            : "no command given (build, boot, run, shell, inspect, config)",
        );
    }
  } catch (e) {
    // Our own errors are the user's to fix (exit 2, one line per problem); anything else is a bug (exit 3, with the stack).
    const d = describeForCli(e);
    for (const line of d.lines) io.err(line);
    return d.exitCode;
  }
}
