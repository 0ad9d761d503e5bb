import { spawnSync } from "node:child_process";
import { describe, it, expect } from "vitest";
import { defaultConfig, mergeConfig, type LooprootConfig } from "../../src/config.ts";
import { linuxrcScript, initrdTree } from "../../src/howto/initrd.ts";
import { fstab, rcScript, busyboxRootTree, userRootTree, fakeMountLine } from "../../src/howto/rootdev.ts";
import { autoexecBat, loadlinParams, kernelArgs } from "../../src/howto/bootfloppy.ts";
import { linuxDevice, dosPathInLinux, dosPathInDos } from "../../src/howto/names.ts";
import { validateConfig } from "../../src/validate.ts";
import { derivedUuid, canonicalJson } from "../../src/ids.ts";

const cfg = (p: unknown = {}): LooprootConfig => mergeConfig(defaultConfig(), p);
const ing = {
  busyboxInitrd: new Uint8Array([0x7f, 0x45, 0x4c, 0x46]),
  initrdApplets: ["/bin/sh", "/bin/mount", "/bin/losetup", "/bin/echo"],
  busyboxRoot: new Uint8Array(10),
  rootApplets: ["/bin/sh", "/sbin/init", "/usr/bin/awk"],
};
const fields = (c: LooprootConfig) => validateConfig(c).map((p) => p.field);

describe("3.3 the initrd", () => {
  it("/linuxrc is the HOWTO's script, with #!/bin/sh and today's device", () => {
    const s = linuxrcScript(cfg());
    expect(s.startsWith("#!/bin/sh\n")).toBe(true);
    expect(s).toContain("echo INITRD: Trying to mount /dev/sda1 as msdos");
    expect(s).toContain("if /bin/mount -n -t msdos /dev/sda1 /mnt; then");
    expect(s).toContain("/bin/losetup /dev/loop0 /mnt/linux/linuxdsk.img");
    expect(s).toContain("/bin/losetup /dev/loop1 /mnt/linux/linuxswp.img");
    expect(s).toContain("echo INITRD: Mount failed");
  });
  it("the open-permissions variant and vfat", () => {
    const s = linuxrcScript(
      cfg({ dos: { openPermissions: true, fsType: "vfat", directory: "LR", rootFile: "ROOT.IMG" } }),
    );
    expect(s).toContain("/bin/mount -n -t vfat /dev/sda1 /mnt -o uid=0,gid=0,umask=000,quiet; then");
    expect(s).toContain("/bin/losetup /dev/loop0 /mnt/lr/root.img");
    expect(fakeMountLine(cfg({ dos: { openPermissions: true } }))).toBe(
      "mount -f -t msdos /dev/sda1 /initrd/mnt -o uid=0,gid=0,umask=000,quiet",
    );
  });
  it("has the HOWTO's directories and device nodes, renamed for Linux 6", () => {
    const t = new Map(initrdTree(cfg(), ing).map((e) => [e.path, e]));
    for (const d of ["/bin", "/dev", "/etc", "/lib", "/mnt"]) expect(t.get(d)!.kind).toBe("dir");
    expect(t.get("/dev/sda1")).toMatchObject({ kind: "blockdev", major: 8, minor: 1 });
    expect(t.get("/dev/loop1")).toMatchObject({ kind: "blockdev", major: 7, minor: 1 });
    expect(t.get("/dev/zero")).toMatchObject({ kind: "chardev", major: 1, minor: 5 });
    expect(t.get("/dev/tty1")).toMatchObject({ kind: "chardev", major: 4, minor: 1 });
    expect(t.get("/bin/mount")).toMatchObject({ kind: "symlink", target: "busybox" });
    expect(t.get("/linuxrc")!.mode).toBe(0o755);
    const other = new Map(initrdTree(cfg({ dos: { device: "/dev/sdb2" } }), ing).map((e) => [e.path, e]));
    expect(other.get("/dev/sdb2")).toMatchObject({ major: 8, minor: 18 });
  });
});

describe("3.4 the root device", () => {
  it("fstab has the HOWTO's two lines", () => {
    const f = fstab(cfg());
    expect(f).toMatch(/^\/dev\/loop0\s+\/\s+ext2\s+defaults 1 1$/m);
    expect(f).toMatch(/^\/dev\/loop1\s+swap\s+swap\s+defaults 1 1$/m);
  });
  it("the rc script remounts, swaps on, fake-mounts and reports", () => {
    const rc = rcScript(cfg());
    expect(rc).toContain("swapon /dev/loop1");
    expect(rc).toContain("mount -f -t msdos /dev/sda1 /initrd/mnt");
    expect(rc).toContain("LOOPROOT: report-end");
    expect(rcScript(cfg({ root: { fakeMount: false } }))).not.toContain("mount -f");
  });
  it("has /initrd, /DOS -> /initrd/mnt and busybox links", () => {
    const t = new Map(busyboxRootTree(cfg(), ing).map((e) => [e.path, e]));
    expect(t.get("/initrd")!.kind).toBe("dir");
    expect(t.get("/DOS")).toMatchObject({ kind: "symlink", target: "/initrd/mnt" });
    expect(t.get("/usr/bin/awk")).toMatchObject({ kind: "symlink", target: "../../bin/busybox" });
    expect(t.has("/DOS")).toBe(true);
    const bare = new Map(busyboxRootTree(cfg({ root: { dosLink: false } }), ing).map((e) => [e.path, e]));
    expect(bare.has("/DOS")).toBe(false);
  });
  it("a user tree needs a shell and an init, and gets the wrapper", () => {
    const base = [
      { path: "/", kind: "dir" as const, mode: 0o755, uid: 0, gid: 0, mtime: 0 },
      { path: "/bin", kind: "dir" as const, mode: 0o755, uid: 0, gid: 0, mtime: 0 },
    ];
    expect(() => userRootTree(cfg(), base, ing.busyboxRoot)).toThrow(
      /\/sbin\/init cannot be started by the kernel: \/sbin is not in the tree/,
    );
    const elf386 = new Uint8Array(52);
    elf386.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    elf386[18] = 3;
    const ok = [
      ...base,
      { path: "/bin/sh", kind: "file" as const, mode: 0o755, uid: 0, gid: 0, mtime: 0, data: elf386 },
      { path: "/sbin", kind: "dir" as const, mode: 0o755, uid: 0, gid: 0, mtime: 0 },
      { path: "/sbin/init", kind: "symlink" as const, mode: 0o777, uid: 0, gid: 0, mtime: 0, target: "/bin/sh" },
    ];
    const t = new Map(userRootTree(cfg(), ok, ing.busyboxRoot).map((e) => [e.path, e]));
    expect(t.get("/sbin/looproot-init")!.mode).toBe(0o755);
    expect(kernelArgs(cfg({ root: { source: "tar" } }))).toContain("init=/sbin/looproot-init");
    // No systemd in the tree: no systemd shutdown hook.
    expect([...t.keys()].some((p) => p.includes("system-shutdown"))).toBe(false);
  });
  it("a merged-/usr systemd root gets the shutdown hook where systemd-shutdown looks, run by looproot's busybox", () => {
    const d = (path: string) => ({ path, kind: "dir" as const, mode: 0o755, uid: 0, gid: 0, mtime: 0 });
    const l = (path: string, target: string) => ({
      path,
      kind: "symlink" as const,
      mode: 0o777,
      uid: 0,
      gid: 0,
      mtime: 0,
      target,
    });
    const elf386 = new Uint8Array(52);
    elf386.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    elf386[18] = 3;
    const tree = [
      d("/"),
      d("/usr"),
      d("/usr/bin"),
      d("/usr/lib"),
      d("/usr/lib/systemd"),
      d("/usr/sbin"),
      l("/bin", "usr/bin"),
      l("/lib", "usr/lib"),
      l("/sbin", "usr/sbin"),
      { path: "/usr/bin/sh", kind: "file" as const, mode: 0o755, uid: 0, gid: 0, mtime: 0, data: elf386 },
      { path: "/usr/lib/systemd/systemd", kind: "file" as const, mode: 0o755, uid: 0, gid: 0, mtime: 0, data: elf386 },
      l("/usr/sbin/init", "../lib/systemd/systemd"),
    ];
    const t = new Map(userRootTree(cfg(), tree, ing.busyboxRoot).map((e) => [e.path, e]));
    const hook = t.get("/usr/lib/systemd/system-shutdown/looproot.shutdown")!;
    expect(hook.mode).toBe(0o755);
    const text = new TextDecoder().decode(hook.data);
    expect(text.split("\n")[0]).toBe("#!/sbin/looproot.d/busybox sh");
    expect(spawnSync("sh", ["-n"], { input: text }).status).toBe(0);
    // The DOS partition's dirty bit is cleared only once the root is read-only, then the console hears it.
    expect(text.indexOf("remount,ro /")).toBeLessThan(text.indexOf("umount -n /initrd/mnt"));
    expect(text).toContain("LOOPROOT: shutdown complete");
    expect(t.has("/lib/systemd/system-shutdown/looproot.shutdown")).toBe(false);
  });
  it("a root whose halt and reboot scripts read /etc/default/halt (Debian's sysvinit, OpenRC, runit) gets the hook called from there, once", () => {
    const d = (path: string) => ({ path, kind: "dir" as const, mode: 0o755, uid: 0, gid: 0, mtime: 0 });
    const f = (path: string, s: string, mode = 0o755) => ({
      path,
      kind: "file" as const,
      mode,
      uid: 0,
      gid: 0,
      mtime: 0,
      data: new TextEncoder().encode(s),
    });
    const elf386 = new Uint8Array(52);
    elf386.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    elf386[18] = 3;
    // Debian's two scripts read the file at their top, as a shell file.
    const script = (verb: string) =>
      `#! /bin/sh\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\n[ -f /etc/default/halt ] && . /etc/default/halt\n${verb} -d -f\n`;
    const base = [
      d("/"),
      d("/bin"),
      d("/sbin"),
      d("/etc"),
      d("/etc/init.d"),
      d("/etc/default"),
      f("/bin/sh", ""),
      f("/sbin/init", ""),
    ].map((e) => (e.kind === "file" ? { ...e, data: elf386 } : e));
    const debian = [
      ...base,
      f("/etc/init.d/halt", script("halt")),
      f("/etc/init.d/reboot", script("reboot")),
      f("/etc/default/halt", "# Default behaviour of shutdown -h / halt.\nHALT=poweroff\n", 0o644),
    ];
    const t = new Map(userRootTree(cfg(), debian, ing.busyboxRoot).map((e) => [e.path, e]));
    const halt = new TextDecoder().decode(t.get("/etc/default/halt")!.data);
    // The user's setting kept, the hook called for "stop" only.
    expect(halt.startsWith("# Default behaviour of shutdown -h / halt.\nHALT=poweroff\n")).toBe(true);
    expect(halt).toContain(
      'if [ "$1" = stop ] && [ -x /sbin/looproot.d/shutdown ]; then /sbin/looproot.d/shutdown || true; fi',
    );
    expect(t.get("/etc/default/halt")!.mode).toBe(0o644);
    const hook = new TextDecoder().decode(t.get("/sbin/looproot.d/shutdown")!.data);
    expect(hook.split("\n")[0]).toBe("#!/sbin/looproot.d/busybox sh");
    expect(hook).toContain("LOOPROOT: shutdown complete");
    // Sourced (here: eval'd) under set -e too (a halt script may use it): neither verb stops the script, and only stop runs the hook.
    const run = (verb: string, hook: string) =>
      spawnSync("sh", ["-ec", `set -- ${verb}; eval "$HALT"; echo end`], {
        env: { HALT: halt.replaceAll("/sbin/looproot.d/shutdown", hook) },
        encoding: "utf8",
      }).stdout;
    expect(run("start", "/bin/echo")).toBe("end\n");
    expect(run("stop", "/bin/echo")).toBe("\nend\n");
    expect(run("stop", "/bin/false")).toBe("end\n");
    // Built twice (a root tarball made from a looproot root): one call, not two.
    const again = new Map(userRootTree(cfg(), [...t.values()], ing.busyboxRoot).map((e) => [e.path, e]));
    expect(new TextDecoder().decode(again.get("/etc/default/halt")!.data)).toBe(halt);
    // A root without Debian's scripts (busybox init, say) is left alone.
    const other = new Map(userRootTree(cfg(), base, ing.busyboxRoot).map((e) => [e.path, e]));
    expect(other.has("/etc/default/halt") || other.has("/sbin/looproot.d/shutdown")).toBe(false);
  });
});

describe("3.7 AUTOEXEC.BAT", () => {
  it("is the HOWTO's one line plus the consoles", () => {
    expect(autoexecBat(cfg())).toBe(
      "\\loadlin \\zImage initrd=\\initrdgz.img root=/dev/loop0 ro console=tty0 console=ttyS0,115200\r\n",
    );
    expect(autoexecBat(cfg({ boot: { extraArgs: "" } }))).toBe(
      "\\loadlin \\zImage initrd=\\initrdgz.img root=/dev/loop0 ro\r\n",
    );
  });
  it("moves the options to LOADLIN's @params file on request", () => {
    const c = cfg({ boot: { paramsFile: true } });
    expect(autoexecBat(c)).toBe("\\loadlin @\\LOADLIN.PAR\r\n");
    expect(loadlinParams(c).split("\r\n")).toContain("initrd=\\initrdgz.img");
  });
});

describe("names", () => {
  it("device numbers", () => {
    expect(linuxDevice("/dev/sda1")).toEqual({ major: 8, minor: 1 });
    expect(linuxDevice("/dev/hda1")).toEqual({ major: 3, minor: 1 });
    expect(linuxDevice("/dev/hdc")).toEqual({ major: 22, minor: 0 });
    expect(linuxDevice("/dev/loop7")).toEqual({ major: 7, minor: 7 });
    expect(linuxDevice("/dev/foo")).toBeUndefined();
  });
  it("DOS paths on both sides", () => {
    expect(dosPathInLinux(cfg(), "LINUXDSK.IMG")).toBe("/linux/linuxdsk.img");
    expect(dosPathInDos(cfg(), "LINUXDSK.IMG")).toBe("LINUX\\LINUXDSK.IMG");
  });
});

describe("validation names the field and the limit", () => {
  it("the defaults are valid", () => expect(validateConfig(cfg())).toEqual([]));
  it("the HOWTO's /dev/hda1 is explained", () => {
    const p = validateConfig(cfg({ dos: { device: "/dev/hda1" } }));
    expect(p[0].field).toBe("dos.device");
    expect(p[0].message).toMatch(/no old IDE driver.*\/dev\/sda1/);
  });
  it("bad device, 8.3 names, sizes", () => {
    expect(fields(cfg({ dos: { device: "/dev/sda" } }))).toEqual(["dos.device"]);
    expect(fields(cfg({ dos: { rootFile: "LINUXDISK.IMG" } }))).toEqual(["dos.rootFile"]);
    expect(validateConfig(cfg({ dos: { rootFile: "LINUXDISK.IMG" } }))[0].message).toMatch(
      /9 characters, more than the 8/,
    );
    expect(fields(cfg({ dos: { directory: "A*B" } }))).toEqual(["dos.directory"]);
    expect(fields(cfg({ initrd: { sizeKiB: 8192 } }))).toEqual(["initrd.sizeKiB"]);
    expect(fields(cfg({ disk: { sizeMiB: 30 } }))).toEqual(["disk.sizeMiB"]);
    expect(validateConfig(cfg({ disk: { sizeMiB: 30 } }))[0].message).toMatch(/at least 34 MiB/);
    expect(fields(cfg({ swap: { sizeMiB: 0 } }))).toEqual(["swap.sizeMiB"]);
    expect(fields(cfg({ floppy: { label: "lower" } }))).toEqual(["floppy.label"]);
    expect(fields(cfg({ machine: { memoryMiB: 2 } }))).toEqual(["machine.memoryMiB"]);
  });
  it("a command tail over 126 characters offers the @params file", () => {
    const c = cfg({ boot: { extraArgs: "console=tty0 console=ttyS0 " + "x".repeat(60) } });
    const p = validateConfig(c);
    expect(p.map((x) => x.field)).toEqual(["boot.extraArgs"]);
    expect(p[0].message).toMatch(/at most 126.*boot\.paramsFile/);
    expect(validateConfig(mergeConfig(c, { boot: { paramsFile: true } }))).toEqual([]);
  });
  it("unknown and mistyped keys in a config file", () => {
    expect(() => cfg({ swap: { size: 8 } })).toThrow(/swap\.size: is not a known setting/);
    expect(() => cfg({ swap: { sizeMiB: "8" } })).toThrow(/swap\.sizeMiB: must be a number/);
  });
});

describe("identifiers derive from the config", () => {
  it("same config, same UUID; other config, other UUID; key order does not matter", () => {
    expect(derivedUuid(cfg(), "root")).toEqual(derivedUuid(cfg(), "root"));
    expect(derivedUuid(cfg(), "root")).not.toEqual(derivedUuid(cfg({ name: "other" }), "root"));
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    expect(derivedUuid(cfg(), "root")[6] >> 4).toBe(4);
  });
});

describe("LOADLIN's own limits", () => {
  it("refuses an option of 80 characters or more in the params file, naming the field and the limit 79", () => {
    const arg = "looproot.x=" + "a".repeat(80 - 11);
    const problems = validateConfig(cfg({ boot: { paramsFile: true, extraArgs: `console=ttyS0 ${arg}` } }));
    expect(problems).toEqual([expect.objectContaining({ field: "boot.extraArgs", limit: 79 })]);
    expect(problems[0].message).toMatch(/80 characters; LOADLIN 1\.6f takes at most 79/);
    expect(validateConfig(cfg({ boot: { paramsFile: true, extraArgs: arg.slice(1) } }))).toEqual([]);
  });
});

describe("RAM: the least the chain needs", () => {
  it("the project's kernel header says what PROJECT_KERNEL says", async () => {
    const { readFileSync } = await import("node:fs");
    const { kernelMemory, PROJECT_KERNEL } = await import("../../src/howto/memory.ts");
    expect(kernelMemory(new Uint8Array(readFileSync(new URL("../../images/kernel/bzImage", import.meta.url))))).toEqual(
      PROJECT_KERNEL,
    );
  });
  it("refuses 4-7 MiB with the minimum and why, accepts 8 (the kernel unpacks at 1 MiB)", async () => {
    for (const m of [4, 7]) {
      const p = validateConfig(cfg({ machine: { memoryMiB: m } }));
      expect(p).toEqual([expect.objectContaining({ field: "machine.memoryMiB", limit: 8 })]);
      expect(p[0].message).toMatch(
        /needs at least 8 MiB because the running system needs 7,852,032 bytes: 1 MiB of low memory, the kernel's 3,526,656/,
      );
    }
    expect(validateConfig(cfg({ machine: { memoryMiB: 8 } }))).toEqual([]);
    expect(validateConfig(cfg({ machine: { memoryMiB: 3 } }))).toEqual([
      expect.objectContaining({ field: "machine.memoryMiB", limit: "4..1024" }),
    ]);
  });
  it("the distribution kernel's header says what PROJECT_DISTRO_KERNEL says, and a root tarball (auto: that kernel) needs 9 MiB", async () => {
    const { readFileSync } = await import("node:fs");
    const { kernelMemory, PROJECT_DISTRO_KERNEL } = await import("../../src/howto/memory.ts");
    expect(
      kernelMemory(new Uint8Array(readFileSync(new URL("../../images/kernel/bzImage-distro", import.meta.url)))),
    ).toEqual(PROJECT_DISTRO_KERNEL);
    expect(validateConfig(cfg({ root: { source: "tar" }, machine: { memoryMiB: 8 } }))).toEqual([
      expect.objectContaining({ field: "machine.memoryMiB", limit: 9 }),
    ]);
    expect(validateConfig(cfg({ root: { source: "tar" }, machine: { memoryMiB: 9 } }))).toEqual([]);
  });
  it("a kernel that unpacks at 16 MiB (Linux's default) needs 20", async () => {
    const { memoryNeeds } = await import("../../src/howto/memory.ts");
    const n = memoryNeeds(cfg({}), { loadAddress: 16 * 1048576, initSize: 3_485_696, relocatable: false });
    expect(n.minMiB).toBe(20);
    expect(n.why).toMatch(/not relocatable\) unpacks itself at 16 MiB and needs 3,485,696 bytes/);
  });
  it("a bigger RAM disk raises the minimum past the kernel's", async () => {
    const { memoryNeeds } = await import("../../src/howto/memory.ts");
    const n = memoryNeeds(
      cfg({ initrd: { sizeKiB: 4096 } }),
      { loadAddress: 1048576, initSize: 3_485_696, relocatable: true },
      2_000_000,
    );
    expect(n.minMiB).toBe(Math.ceil((1048576 + 3_485_696 + 2_000_000 + 4096 * 1024 + 2 * 1048576 + 131072) / 1048576));
    expect(n.why).toMatch(/running system/);
  });
});

describe("a user root's init is checked at build", () => {
  const e = (path: string, kind: "dir" | "file" | "symlink", more: object = {}) => ({
    path,
    kind,
    mode: kind === "symlink" ? 0o777 : 0o755,
    uid: 0,
    gid: 0,
    mtime: 0,
    ...more,
  });
  const elf = (machine: number) => {
    const d = new Uint8Array(52);
    d.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    d[18] = machine;
    return d;
  };
  const base = [
    e("/", "dir"),
    e("/bin", "dir"),
    e("/usr", "dir"),
    e("/usr/sbin", "dir"),
    e("/bin/sh", "file", { data: elf(3) }),
  ];
  const build = (extra: object[]) => () => userRootTree(cfg(), [...base, ...extra] as never, ing.busyboxRoot);
  it("follows links inside the tree to an i386 ELF or a #! script", () => {
    expect(
      build([
        e("/sbin", "dir"),
        e("/sbin/init", "symlink", { target: "../usr/sbin/init" }),
        e("/usr/sbin/init", "symlink", { target: "../../bin/sh" }),
      ]),
    ).not.toThrow();
    expect(
      build([
        e("/sbin", "dir"),
        e("/sbin/init", "file", { data: new TextEncoder().encode("#!/bin/sh\nexec /bin/sh\n") }),
      ]),
    ).not.toThrow();
    const t = new Map(
      build([e("/sbin", "dir"), e("/sbin/init", "symlink", { target: "/bin/sh" })])().map((x) => [x.path, x]),
    );
    expect(t.get("/sbin/looproot.d/busybox")!.data).toBe(ing.busyboxRoot);
    expect(new TextDecoder().decode(t.get("/sbin/looproot-init")!.data).split("\n")[0]).toBe(
      "#!/sbin/looproot.d/busybox sh",
    );
  });
  it("resolves a merged-/usr path (/sbin -> usr/sbin) and a loop of links", async () => {
    const { checkRootInit } = await import("../../src/howto/rootinit.ts");
    const merged = [
      ...base,
      e("/sbin", "symlink", { target: "usr/sbin" }),
      e("/usr/sbin/init", "symlink", { target: "../../bin/sh" }),
    ] as never;
    expect(() => checkRootInit(merged, "/sbin/init")).not.toThrow();
    const loop = [
      ...base,
      e("/sbin", "dir"),
      e("/sbin/init", "symlink", { target: "init2" }),
      e("/sbin/init2", "symlink", { target: "init" }),
    ] as never;
    expect(() => checkRootInit(loop, "/sbin/init")).toThrow(/more than 40 symlinks/);
  });
  it("refuses a dangling link, a link out of the tree's reach, a non-executable, an amd64 program, a script without interpreter", () => {
    expect(build([e("/sbin", "dir"), e("/sbin/init", "symlink", { target: "/lib/systemd/systemd" })])).toThrow(
      /\/sbin\/init cannot be started by the kernel: \/lib is not in the tree/,
    );
    expect(build([e("/sbin", "dir"), e("/sbin/init", "symlink", { target: "../../../host/init" })])).toThrow(
      /\/host is not in the tree/,
    );
    expect(build([e("/sbin", "dir"), e("/sbin/init", "file", { mode: 0o644, data: elf(3) })])).toThrow(
      /not executable/,
    );
    expect(build([e("/sbin", "dir"), e("/sbin/init", "file", { data: elf(62) })])).toThrow(
      /another machine .*e_machine 62/,
    );
    expect(
      build([e("/sbin", "dir"), e("/sbin/init", "file", { data: new TextEncoder().encode("#!/usr/bin/missing\n") })]),
    ).toThrow(/\/usr\/bin is not in the tree/);
    expect(build([e("/sbin", "dir"), e("/sbin/init", "file", { data: new TextEncoder().encode("hello") })])).toThrow(
      /neither an ELF program nor a #! script/,
    );
  });
});

describe("3.7 which kernel, and where LOADLIN reads it (boot.kernel)", () => {
  it("auto: the HOWTO kernel on the floppy for the busybox root, the distribution kernel in C:\\LINUX for a tarball", async () => {
    const { kernelChoice, kernelDosPath, kernelFileOnDisk } = await import("../../src/howto/kernel.ts");
    expect(kernelChoice(cfg())).toBe("howto");
    expect(kernelFileOnDisk(cfg())).toBeUndefined();
    expect(autoexecBat(cfg())).toBe(
      "\\loadlin \\zImage initrd=\\initrdgz.img root=/dev/loop0 ro console=tty0 console=ttyS0,115200\r\n",
    );
    const tar = cfg({ root: { source: "tar" } });
    expect(kernelChoice(tar)).toBe("distro");
    expect(kernelDosPath(tar)).toBe("C:\\LINUX\\ZIMAGE");
    expect(kernelChoice(cfg({ root: { source: "tar" }, boot: { kernel: "howto" } }))).toBe("howto");
    const d = cfg({ boot: { kernel: "distro", kernelPath: "\\vmlinuz" }, dos: { directory: "LR" } });
    expect(kernelFileOnDisk(d)).toBe("LR\\VMLINUZ");
    expect(autoexecBat(d)).toMatch(/^\\loadlin C:\\LR\\VMLINUZ initrd=\\initrdgz\.img /);
  });
  it("refuses a kernel choice that does not exist", () => {
    expect(validateConfig(cfg({ boot: { kernel: "huge" } }))).toEqual([
      expect.objectContaining({ field: "boot.kernel", message: "huge is not one of auto, howto, distro" }),
    ]);
  });
  it("the distribution kernel is not on the floppy, and a build without it names the file", async () => {
    const { floppyFiles } = await import("../../src/howto/bootfloppy.ts");
    const { chosenKernel } = await import("../../src/howto/kernel.ts");
    const parts = {
      kernel: new Uint8Array(4),
      initrdGz: new Uint8Array(4),
      loadlin: new Uint8Array(4),
      dos: { name: "", bootSector: new Uint8Array(512), files: [] },
    };
    expect(floppyFiles(cfg(), parts).map((f) => f.path)).toContain("ZIMAGE");
    expect(floppyFiles(cfg({ boot: { kernel: "distro" } }), parts).map((f) => f.path)).not.toContain("ZIMAGE");
    expect(() => chosenKernel(cfg({ boot: { kernel: "distro" } }), { kernel: new Uint8Array(4) })).toThrow(
      /boot\.kernel: the distribution kernel \(images\/kernel\/bzImage-distro\) is not available/,
    );
  });
});
