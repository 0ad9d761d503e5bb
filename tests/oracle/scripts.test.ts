// The generated shell scripts (/linuxrc, rcS, the wrapper init) for every DOS name the validator
// accepts: busybox ash and dash must parse them (`sh -n`), and run in a chroot whose mount, losetup,
// swapon, hostname and reboot are recording stubs, they must call exactly what the config says and
// nothing else. DOS names may hold ` $ ( ) & ' # ! { } ~ ^ %, so this is where injection would show.
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMAGES_DIR } from "../../images/manifest.ts";
import { defaultConfig, mergeConfig, type LooprootConfig } from "../../src/config.ts";
import { toDosName } from "../../src/fs/fat/dosname.ts";
import { linuxrcScript } from "../../src/howto/initrd.ts";
import { rcScript, wrapperInit, fakeMountLine } from "../../src/howto/rootdev.ts";
import { shWord } from "../../src/howto/shellquote.ts";
import { autoexecBat } from "../../src/howto/bootfloppy.ts";
import { validateConfig } from "../../src/validate.ts";
import { i386Ways, qemuI386, hostRunsI386, type I386Way } from "../helpers/i386.ts";

const BB_INITRD = join(IMAGES_DIR, "busybox", "busybox-initrd");
const BB_ROOT = join(IMAGES_DIR, "busybox", "busybox-root");
const ways = i386Ways(BB_ROOT);
const SEED = 902;
const RUNS = 40;

/** Every character the DOS name check takes in a one-character name: the alphabet of valid names. */
const DOS_ALPHABET = [...Array(0x7f - 0x21)]
  .map((_, i) => String.fromCharCode(0x21 + i))
  .filter((ch) => {
    try {
      toDosName(ch);
      return true;
    } catch {
      return false;
    }
  });

const chars = (min: number, max: number) =>
  fc.array(fc.constantFrom(...DOS_ALPHABET), { minLength: min, maxLength: max }).map((a) => a.join(""));
const dosName = fc
  .tuple(chars(1, 8), fc.option(chars(0, 3), { nil: undefined }))
  .map(([b, e]) => (e === undefined ? b : `${b}.${e}`));
const configArb = fc
  .record({
    dir: fc.array(dosName, { minLength: 1, maxLength: 3 }),
    lead: fc.boolean(),
    rootFile: dosName,
    swapFile: dosName,
    disk: fc.constantFrom(..."abcdefghijklmnop"),
    part: fc.integer({ min: 1, max: 15 }),
    fsType: fc.constantFrom("msdos", "vfat"),
    openPermissions: fc.boolean(),
    extras: fc.boolean(),
    hostname: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,20}$/),
  })
  .map((r) =>
    mergeConfig(defaultConfig(), {
      dos: {
        device: `/dev/sd${r.disk}${r.part}`,
        fsType: r.fsType,
        openPermissions: r.openPermissions,
        directory: (r.lead ? "\\" : "") + r.dir.join("\\"),
        rootFile: r.rootFile,
        swapFile: r.swapFile,
      },
      root: { hostname: r.hostname, initrdDir: true, dosLink: r.extras, fakeMount: !r.extras || r.part % 2 === 0 },
    }),
  )
  .filter((c) => validateConfig(c).length === 0);

/** A fixed sample of valid configs, plus the hand-picked hostile ones of the issue. */
function cases(): LooprootConfig[] {
  const picked = ["`REBOOT`", "A'B", "$(X)", "#A", "&B", "~", "{A}", "!A", "%A%", "$HOME"].map((d) =>
    mergeConfig(defaultConfig(), { dos: { directory: d, rootFile: d.length < 8 ? d + "1" : "R" } }),
  );
  for (const c of picked) expect(validateConfig(c), c.dos.directory).toEqual([]);
  return [...picked, ...fc.sample(configArb, { seed: SEED, numRuns: RUNS })];
}

/** /mnt + the DOS path as Linux spells it, worked out here from the config, not by the product. */
function linuxPath(c: LooprootConfig, file: string): string {
  const parts = c.dos.directory.split(/[\\/]/).filter(Boolean);
  return ("/" + [...parts, file].join("/")).toLowerCase();
}

let scratch: string;
let jail: string;

/** One recorded call: argv[0]'s base name, then the arguments. */
type Call = string[];

function readCalls(): Call[] {
  const f = join(jail, "calls");
  if (!existsSync(f)) return [];
  return readFileSync(f, "latin1")
    .split("\n")
    .filter(Boolean)
    .map((rec) => {
      const argv = rec.split("\0").slice(0, -1);
      return [argv[0].slice(argv[0].lastIndexOf("/") + 1), ...argv.slice(1)];
    });
}

/** A chroot with the two busybox builds, dash (for the stubs) and recording stubs; nothing else. */
function makeJail(dir: string) {
  for (const d of ["bin", "bb/initrd", "bb/root", "dev", "tmp", "initrd/mnt", "mnt", "proc", "sys"])
    mkdirSync(join(dir, d), { recursive: true });
  // Named busybox, as the multi-call binary knows itself.
  for (const [from, to] of [
    [BB_INITRD, "bb/initrd/busybox"],
    [BB_ROOT, "bb/root/busybox"],
  ]) {
    copyFileSync(from, join(dir, to));
    chmodSync(join(dir, to), 0o755);
  }
  const q = existsSync("/usr/bin/qemu-i386-static") ? "/usr/bin/qemu-i386-static" : undefined;
  if (q) (copyFileSync(q, join(dir, "qemu")), chmodSync(join(dir, "qemu"), 0o755));
  // dash and the libraries it loads, at the paths its loader looks for them.
  const dash = realpathSync("/bin/dash");
  const libs = execFileSync("ldd", [dash], { encoding: "utf8" }).match(/\/\S+/g) ?? [];
  for (const f of [dash, ...libs]) {
    for (const at of new Set([f, realpathSync(f)])) {
      mkdirSync(join(dir, dirname(at)), { recursive: true });
      if (!existsSync(join(dir, at))) copyFileSync(realpathSync(f), join(dir, at));
    }
  }
  if (!existsSync(join(dir, "bin/dash"))) copyFileSync(dash, join(dir, "bin/dash"));
  chmodSync(join(dir, "bin/dash"), 0o755);
  // The stubs record their argv (NUL-separated, one call a line); the names cannot hold NUL or newline.
  for (const s of ["mount", "losetup", "swapon", "hostname", "reboot", "halt", "poweroff", "init"]) {
    writeFileSync(
      join(dir, "bin", s),
      "#!/bin/dash\n{ printf '%s\\0' \"$0\" \"$@\"; printf '\\n'; } >> /calls\nexit 0\n",
      { mode: 0o755 },
    );
  }
  // The rc lines run every command as `$bb APPLET` (bb is /bin/busybox in the built root, looproot's
  // own /sbin/looproot.d/busybox in a user's): this busybox records the stubbed applets as the
  // stubs do and runs the rest with the real busybox-root.
  const stubbed = "mount|losetup|swapon|hostname|reboot|halt|poweroff|init";
  const bb = `#!/bin/dash\ncase "$1" in ${stubbed}) a=$1; shift; { printf '%s\\0' "$a" "$@"; printf '\\n'; } >> /calls; exit 0;; esac\nexec /bb/root/busybox "$@"\n`;
  mkdirSync(join(dir, "sbin/looproot.d"), { recursive: true });
  for (const at of ["bin/busybox", "sbin/looproot.d/busybox"]) writeFileSync(join(dir, at), bb, { mode: 0o755 });
  // What the rc script's report reads, empty: the report lines are not what this test checks.
  mkdirSync(join(dir, "proc/self"), { recursive: true });
  mkdirSync(join(dir, "proc/sys/kernel"), { recursive: true });
  for (const f of [
    "proc/self/mountinfo",
    "proc/mounts",
    "proc/swaps",
    "proc/meminfo",
    "proc/sys/kernel/osrelease",
    "proc/sys/kernel/hostname",
  ])
    writeFileSync(join(dir, f), "");
  // The rc script's other commands: busybox-root applets, as on the built root.
  for (const a of ["sh", "echo", "cat", "grep", "tail", "stat", "basename", "uname", "readlink", "test", "["])
    symlinkSync("/bb/root/busybox", join(dir, "bin", a));
}

/** Runs `script` in the jail with one shell, returning its stdout, status and the calls the stubs saw. */
function runInJail(
  shell: "dash" | `busybox-${"initrd" | "root"}-${I386Way}`,
  script: string,
  setup?: (jail: string) => void,
) {
  rmSync(join(jail, "calls"), { force: true });
  rmSync(join(jail, "initrd/mnt"), { recursive: true, force: true });
  mkdirSync(join(jail, "initrd/mnt"));
  rmSync(join(jail, "DOS"), { force: true });
  setup?.(jail);
  writeFileSync(join(jail, "script"), script, { mode: 0o755 });
  let argv: string[];
  if (shell === "dash") argv = ["/bin/dash", "/script"];
  else {
    const [, build, way] = shell.split("-");
    argv =
      way === "native" ? [`/bb/${build}/busybox`, "sh", "/script"] : ["/qemu", `/bb/${build}/busybox`, "sh", "/script"];
  }
  const r = spawnSync(CHROOT!, [jail, ...argv], { encoding: "latin1", env: { PATH: "/bin" }, timeout: 20_000 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, calls: readCalls() };
}

const CHROOT = ["/usr/sbin/chroot", "/sbin/chroot", "/usr/bin/chroot"].find((p) => existsSync(p));
const canChroot = process.getuid?.() === 0 && CHROOT !== undefined;
// The emulated way needs the static qemu-i386 inside the jail. The rc script also runs busybox-root's
// applets as programs (`$bb stat` execs it), which only a host that runs i386 can do.
const shells = (build: "initrd" | "root") =>
  ways
    .filter(
      (w) =>
        (w === "native" || existsSync("/usr/bin/qemu-i386-static")) && (build === "initrd" || hostRunsI386(BB_ROOT)),
    )
    .map((w) => `busybox-${build}-${w}` as const);

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "looproot-scripts-"));
  jail = join(scratch, "jail");
  if (canChroot) makeJail(jail);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("shWord", () => {
  it("leaves plain words bare and gives any other string back to the shell unchanged", () => {
    expect(shWord("/dev/sda1")).toBe("/dev/sda1");
    expect(shWord("uid=0,gid=0,umask=000,quiet")).toBe("uid=0,gid=0,umask=000,quiet");
    expect(shWord("/mnt/`reboot`")).toBe("'/mnt/`reboot`'");
    expect(shWord("a'b")).toBe("'a'\\''b'");
    expect(shWord("")).toBe("''");
    // Any string without NUL, printed back by printf, must come out as it went in.
    const words = fc.sample(
      fc.string({ unit: fc.constantFrom(..." \t\n!\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~é"), maxLength: 12 }),
      { seed: SEED, numRuns: 300 },
    );
    const script = words.map((w) => `printf '%s\\0' ${shWord(w)}`).join("\n") + "\n";
    const file = join(scratch, "words.sh");
    writeFileSync(file, script);
    const outs: [string, string][] = [["dash", execFileSync("dash", [file], { encoding: "utf8" })]];
    for (const w of ways) {
      const [cmd, args] = w === "native" ? [BB_ROOT, ["sh", file]] : [qemuI386()!, [BB_ROOT, "sh", file]];
      outs.push([`busybox ${w}`, execFileSync(cmd, args, { encoding: "utf8" })]);
    }
    for (const [who, out] of outs) expect(out.split("\0").slice(0, -1), who).toEqual(words);
  });
});

describe("generated scripts for every valid DOS name", () => {
  const all = cases();

  it("parse with busybox ash (both builds) and dash: sh -n", () => {
    const dir = join(scratch, "syntax");
    mkdirSync(dir);
    // The initrd's busybox runs /linuxrc, the root's runs rcS and the wrapper; dash checks them all.
    const files = { initrd: [] as string[], root: [] as string[] };
    all.forEach((c, i) => {
      for (const [kind, text, bb] of [
        ["linuxrc", linuxrcScript(c), "initrd"],
        ["rcS", rcScript(c), "root"],
        ["init", wrapperInit(c), "root"],
      ] as const) {
        const f = join(dir, `${String(i).padStart(3, "0")}-${kind}`);
        writeFileSync(f, text);
        files[bb].push(f);
      }
    });
    // A control that must fail, so a shell that accepted anything would be caught.
    const control = join(dir, "zz-control");
    writeFileSync(control, "echo /mnt/a'b\n");
    const check = (label: string, cmd: string, pre: string[], list: string[]) => {
      // One shell loop per interpreter instead of one process from here per file.
      const loop = `for f in "$@"; do "$0" ${pre.map((p) => `'${p}'`).join(" ")} -n "$f" 2>/dev/null || echo "FAIL $f"; done`;
      const out = execFileSync("dash", ["-c", loop, cmd, ...list, control], { encoding: "utf8" });
      expect(out.trim().split("\n"), label).toEqual([`FAIL ${control}`]);
    };
    check("dash", "/bin/dash", [], [...files.initrd, ...files.root]);
    for (const w of ways) {
      for (const [bb, list] of [
        [BB_INITRD, files.initrd],
        [BB_ROOT, files.root],
      ] as const) {
        if (w === "native") check(`${bb} native`, bb, ["sh"], list);
        else check(`${bb} qemu`, qemuI386()!, [bb, "sh"], list);
      }
    }
  });

  it.runIf(canChroot)("/linuxrc mounts the configured device and attaches exactly /mnt + the DOS paths", () => {
    const failures: string[] = [];
    for (const c of all) {
      const opts = c.dos.openPermissions ? ["-o", "uid=0,gid=0,umask=000,quiet"] : [];
      const want = [
        ["mount", "-n", "-t", c.dos.fsType, c.dos.device, "/mnt", ...opts],
        ["losetup", "/dev/loop0", "/mnt" + linuxPath(c, c.dos.rootFile)],
        ["losetup", "/dev/loop1", "/mnt" + linuxPath(c, c.dos.swapFile)],
      ];
      const wantOut = `INITRD: Trying to mount ${c.dos.device} as ${c.dos.fsType}\nINITRD: Mounted OK\nINITRD: Loop devices set up\n`;
      for (const sh of ["dash" as const, ...shells("initrd")]) {
        const r = runInJail(sh, linuxrcScript(c));
        const got = { status: r.status, out: r.stdout, calls: r.calls };
        if (JSON.stringify(got) !== JSON.stringify({ status: 0, out: wantOut, calls: want })) {
          failures.push(`${sh} dir=${c.dos.directory} root=${c.dos.rootFile}: ${JSON.stringify(got)} ${r.stderr}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it.runIf(canChroot)("rcS fake-mounts, swaps on, sets the host name and lists the DOS directory, nothing else", () => {
    const failures: string[] = [];
    for (const c of all) {
      const opts = c.dos.openPermissions ? ["-o", "uid=0,gid=0,umask=000,quiet"] : [];
      const dosDir = linuxPath(c, "").replace(/\/$/, "");
      const file = linuxPath(c, c.dos.rootFile).slice(dosDir.length + 1);
      const want = [
        // proc and sysfs from their fstab lines in one process.
        ["mount", "-a", "-t", "proc,sysfs"],
        ["mount", "-n", "-o", "remount,rw", "/"],
        ["swapon", "/dev/loop1"],
        ...(c.root.fakeMount ? [["mount", "-f", "-t", c.dos.fsType, c.dos.device, "/initrd/mnt", ...opts]] : []),
      ];
      for (const sh of shells("root")) {
        const r = runInJail(sh, rcScript(c), (j) => {
          writeFileSync(join(j, "proc/sys/kernel/hostname"), "");
          // The DOS directory with the root image in it, where the rc lines look for it.
          mkdirSync(join(j, "initrd/mnt", dosDir), { recursive: true });
          writeFileSync(join(j, "initrd/mnt", dosDir, file), "abc");
          if (c.root.dosLink) symlinkSync("/initrd/mnt", join(j, "DOS"));
        });
        const listed = r.stdout.split("\n").filter((l) => l.startsWith("LOOPROOT: dosfile "));
        // The host name is written where the hostname applet would put it, without a process.
        const host = readFileSync(join(jail, "proc/sys/kernel/hostname"), "latin1");
        if (
          JSON.stringify(r.calls) !== JSON.stringify(want) ||
          JSON.stringify(listed) !== JSON.stringify([`LOOPROOT: dosfile ${file} 3`]) ||
          host !== c.root.hostname + "\n"
        ) {
          failures.push(
            `${sh} dir=${c.dos.directory}: ${JSON.stringify(r.calls)} ${JSON.stringify(listed)} host ${JSON.stringify(host)} ${r.stderr}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it.runIf(canChroot)("a DOS directory named `REBOOT` does not run reboot (and the jail would have seen it)", () => {
    const c = mergeConfig(defaultConfig(), { dos: { directory: "`REBOOT`" } });
    expect(validateConfig(c)).toEqual([]);
    expect(linuxrcScript(c)).toContain("/bin/losetup /dev/loop0 '/mnt/`reboot`/linuxdsk.img'");
    expect(fakeMountLine(c)).toBe("mount -f -t msdos /dev/sda1 /initrd/mnt");
    for (const sh of ["dash" as const, ...shells("initrd")]) {
      const r = runInJail(sh, linuxrcScript(c));
      expect(
        r.calls.map((x) => x[0]),
        sh,
      ).toEqual(["mount", "losetup", "losetup"]);
      expect(r.calls[1], sh).toEqual(["losetup", "/dev/loop0", "/mnt/`reboot`/linuxdsk.img"]);
    }
    for (const sh of shells("root")) {
      expect(
        runInJail(sh, rcScript(c)).calls.map((x) => x[0]),
        sh,
      ).not.toContain("reboot");
      expect(
        runInJail(sh, wrapperInit(c)).calls.map((x) => x[0]),
        sh,
      ).not.toContain("reboot");
    }
    // The control: the unquoted word the old /linuxrc held does reach the stub.
    expect(runInJail("dash", "/bin/losetup /dev/loop0 /mnt/`reboot`/linuxdsk.img\n").calls.map((x) => x[0])).toEqual([
      "reboot",
      "losetup",
    ]);
  });
});

describe("AUTOEXEC.BAT: no character COMMAND.COM would read as a redirection, pipe or variable", () => {
  it("refuses < > | % in every boot field that reaches the batch line, naming the field", () => {
    const problems = (boot: Record<string, string>) => validateConfig(mergeConfig(defaultConfig(), { boot }));
    for (const ch of ["<", ">", "|", "%"]) {
      const p = problems({ extraArgs: `console=ttyS0 a${ch}b` });
      expect(p).toHaveLength(1);
      expect(p[0].field).toBe("boot.extraArgs");
      expect(p[0].message).toContain(`'${ch}'`);
      // Also refused as "not /dev/loop0"; the batch character must be named among the problems.
      const rootProblems = problems({ root: `/dev/loop0${ch}` });
      expect(new Set(rootProblems.map((x) => x.field))).toEqual(new Set(["boot.root"]));
      expect(rootProblems.some((x) => x.message.includes(`'${ch}'`))).toBe(true);
    }
    // % is a legal DOS name character, so the path check alone would let it into AUTOEXEC.BAT.
    expect(problems({ kernelPath: "\\ZI%A%GE" })).toEqual([
      { field: "boot.kernelPath", message: expect.stringContaining("variable") },
    ]);
    expect(problems({ kernelPath: "\\ZI>A" }).map((x) => x.field)).toEqual(["boot.kernelPath"]);
    // Every config the validator accepts writes a batch line free of them.
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."abc=/ %<>|"), maxLength: 20 }), (extraArgs) => {
        const c = mergeConfig(defaultConfig(), { boot: { extraArgs } });
        if (validateConfig(c).length === 0) expect(autoexecBat(c)).not.toMatch(/[%<>|]/);
        else expect(/[%<>|]/.test(extraArgs) || !/^[\x21-\x7e]*( [\x21-\x7e]+)*$/.test(extraArgs.trim())).toBe(true);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
