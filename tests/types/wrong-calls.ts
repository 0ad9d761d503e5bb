// Calls a library user must not be able to compile (issue 26): each line under @ts-expect-error
// has to stay a type error, since tsc fails on a directive with no error below it. The right
// calls beside them must compile. Checked by tests/types/types.test.ts (tsc --noEmit on this file).
import { makeConfig, buildHowto, type LooprootConfig, type PartialConfig, type RootConfig } from "../../src/index.ts";
import { makeExt2, treeFromFiles, writeTar, type Tree, type TreeEntry, type NodeKind } from "../../src/fs/index.ts";
import {
  bootAndWait,
  bootHowto,
  startMachine,
  runShellCommand,
  type MilestoneEvent,
  type Machine,
} from "../../emulator/node.ts";
import * as anywhere from "../../emulator/index.ts";

declare const bytes: Uint8Array;
declare const ingredients: Parameters<typeof buildHowto>[0]["ingredients"];
declare const machine: Machine;
const tree: Tree = treeFromFiles([{ path: "/etc/motd", data: "hi\n" }]);
const base = { mode: 0o644, uid: 0, gid: 0, mtime: 0 };

// The config is typed, whole or partial.
makeConfig({ root: { sizeMiB: 24 } });
// @ts-expect-error a section's key misspelt
makeConfig({ root: { sizeMB: 24 } });
// @ts-expect-error a number where a string belongs
makeConfig({ swap: { label: 5 } });
// @ts-expect-error no such section
makeConfig({ rootfs: {} });
buildHowto({ ingredients, config: { machine: { memoryMiB: 64 } } });
// @ts-expect-error buildHowto's config is a config, not anything
buildHowto({ ingredients, config: "default" });
void bootHowto({ floppy: bytes, disk: bytes }, { swap: { sizeMiB: 16 } });
// @ts-expect-error bootHowto's config too
void bootHowto({ floppy: bytes, disk: bytes }, { swap: { size: 16 } });

// makeExt2 takes exactly one of tree and tar.
makeExt2({ tree });
makeExt2({ tar: writeTar(tree), tarLimits: { maxTotalBytes: 1 << 20, maxEntries: 100 } });
// @ts-expect-error neither
makeExt2({});
// @ts-expect-error both
makeExt2({ tree, tar: bytes });
// @ts-expect-error a block size mke2fs does not take
makeExt2({ tree, blockSize: 512 });

// Tree entries: each kind has exactly its fields.
const ok: TreeEntry[] = [
  { path: "/dev/console", kind: "chardev", major: 5, minor: 1, ...base },
  { path: "/bin/sh", kind: "symlink", target: "busybox", ...base },
  { path: "/etc/motd", kind: "file", data: bytes, ...base },
  { path: "/run/fifo", kind: "fifo", ...base },
];
// @ts-expect-error a chardev needs major and minor
const noNumbers: TreeEntry = { path: "/dev/tty", kind: "chardev", ...base };
// @ts-expect-error a file needs its data
const noData: TreeEntry = { path: "/etc/x", kind: "file", ...base };
// @ts-expect-error a symlink needs its target
const noTarget: TreeEntry = { path: "/bin/sh", kind: "symlink", ...base };
// @ts-expect-error not a kind
const kind: NodeKind = "door";

// Something to boot.
void bootAndWait({ fda: bytes, pattern: /login/ });
// @ts-expect-error nothing to boot
void bootAndWait({ pattern: /login/ });
// @ts-expect-error nothing to boot
void startMachine({ memoryMB: 64 });
// @ts-expect-error a CD-ROM boot with no way to give a CD
void startMachine({ fda: bytes, boot: "cdrom" });
// @ts-expect-error one name for each job: screenRows, sendKeys
void [machine.screenText, machine.sendText];

// looproot/emulator (a page, or Node without the package's files) needs the PC's firmware.
declare const bios: Uint8Array;
void anywhere.bootHowto(
  { floppy: bytes, disk: bytes },
  {},
  { bios, vgaBios: bios, wasmPath: "/v86.wasm", signal: AbortSignal.timeout(1000) },
);
// @ts-expect-error no BIOS, no wasm
void anywhere.bootHowto({ floppy: bytes, disk: bytes }, {});
// @ts-expect-error no wasm
void anywhere.startMachine({ fda: bytes, bios, vgaBios: bios });
// @ts-expect-error the wasm as bytes or as a URL, not both
void anywhere.bootAndWait({ fda: bytes, bios, vgaBios: bios, wasm: bytes, wasmPath: "/v86.wasm", pattern: "A:" });
// @ts-expect-error only v86 returns its running machine
void bootHowto({ floppy: bytes, disk: bytes }, {}, { engine: "qemu", stopAtEnd: false });
// @ts-expect-error a signal is an AbortSignal
void bootHowto({ floppy: bytes, disk: bytes }, {}, { signal: true });
void buildHowto({ ingredients, signal: new AbortController().signal });

// stopAtEnd: false gives the machine; otherwise there is none to use.
async function handles(): Promise<void> {
  const running = await bootHowto({ floppy: bytes, disk: bytes }, {}, { stopAtEnd: false });
  await running.machine.stop();
  const stopped = await bootHowto({ floppy: bytes, disk: bytes });
  // @ts-expect-error a stopped boot has no machine
  await stopped.machine.stop();
  const { output, status }: { output: string; status: number } = await runShellCommand(machine, "true");
  // @ts-expect-error runShellCommand gives { output, status }, not a string
  const text: string = await runShellCommand(machine, "true");
  void [output, status, text];
}

const events: MilestoneEvent[] = [];
const section: RootConfig["source"] = "tar";
const partial: PartialConfig = { root: { source: section } };
const full: LooprootConfig = makeConfig(partial);
void [ok, noNumbers, noData, noTarget, kind, events, full, handles];

// The config's types come from the settings table (src/settings.ts) and are exactly these.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const exact: [
  Same<
    LooprootConfig["initrd"],
    { sizeKiB: number; blockSize: 1024 | 2048 | 4096; bytesPerInode: number; reservedPercent: number }
  >,
  Same<LooprootConfig["floppy"], { kind: "360K" | "720K" | "1.2M" | "1.44M" | "2.88M"; label: string }>,
  Same<LooprootConfig["boot"]["kernel"], "auto" | "howto" | "distro">,
  Same<RootConfig["source"], "busybox" | "tar">,
  Same<LooprootConfig["dos"]["fsType"], "msdos" | "vfat">,
  Same<LooprootConfig["root"]["dosLink"], boolean>,
  Same<Pick<LooprootConfig, "name" | "time">, { name: string; time: number }>,
] = [true, true, true, true, true, true, true];
// @ts-expect-error a block size mke2fs does not take
makeConfig({ initrd: { blockSize: 512 } });
// @ts-expect-error not a floppy DOS formats
makeConfig({ floppy: { kind: "1.68M" } });
// @ts-expect-error not a kernel choice
makeConfig({ boot: { kernel: "mine" } });
// @ts-expect-error a switch is true or false
makeConfig({ root: { dosLink: "yes" } });
void exact;
