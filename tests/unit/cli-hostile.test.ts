// Issue 28's cases for the command line: every command checks the config it uses (boot and shell
// too), numbers are decimal digits, an object's own names are no settings, a config file is UTF-8,
// and every message is one line naming the field, with control characters escaped and long values
// cut. Each case: exit 2, no stack, nothing started.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import {
  mkdtempSync,
  rmSync,
  readFileSync,
  writeFileSync,
  cpSync,
  mkdirSync,
  existsSync,
  readdirSync,
  statfsSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { shellInputs } from "../../src/cli/shell.ts";
import { parseArgs } from "../../src/cli/args.ts";
import { bootHowto } from "../../emulator/node.ts";
import { LooprootError, ErrorCode } from "../../src/errors.ts";
import { inspect } from "../../src/fs/views/maps.ts";
import { spawnSync, spawn } from "node:child_process";

async function cli(args: string[]) {
  const out: string[] = [],
    err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n"), errLines: err.flatMap((l) => l.split("\n")) };
}

/** What every bad input must give: exit 2, the expected words, no raw control character, no stack. */
function refused(r: Awaited<ReturnType<typeof cli>>, words: RegExp) {
  expect(r.code, r.err).toBe(2);
  expect(r.err).toMatch(words);
  expect(r.err).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
  expect(r.err).not.toMatch(/\n\s+at /);
}

let dir = "";
const f = (n: string) => join(dir, n);
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lr-hostile-"));
  mkdirSync(join(dir, "alone"));
  const r = await cli(["build", "--out", f("out")]);
  expect(r.code, r.err).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const boot = (...more: string[]) =>
  cli(["boot", "--floppy", f("out/floppy.img"), "--disk", f("out/disk.img"), "--timeout", "5", ...more]);

describe("boot, shell and the library validate the config they boot with", () => {
  it("--set machine.memoryMiB out of range or not a number: exit 2 before any engine starts", async () => {
    for (const v of ["4096", "0", "1025"]) {
      const r = await boot("--set", `machine.memoryMiB=${v}`);
      refused(
        r,
        /the config has problems, nothing was booted:\n {2}machine\.memoryMiB: .*(outside the allowed range \d+\.\.1,024 MiB|too little)/,
      );
      expect(r.out).not.toMatch(/MiB, timeout/); // the engine line is never printed
    }
    for (const v of ["Infinity", "1e9", "-64", "64.5"]) {
      refused(
        await boot("--set", `machine.memoryMiB=${v}`),
        /machine\.memoryMiB must be a whole number written in decimal digits 0-9/,
      );
    }
  });
  it("a looproot-config.json beside the images is validated too (1e9 MiB is not booted as something else)", async () => {
    cpSync(f("out"), f("beside"), { recursive: true });
    const info = JSON.parse(readFileSync(f("beside/looproot-config.json"), "utf8"));
    info.config.machine.memoryMiB = 1e9;
    writeFileSync(f("beside/looproot-config.json"), JSON.stringify(info));
    const r = await cli(["boot", "--floppy", f("beside/floppy.img"), "--disk", f("beside/disk.img")]);
    refused(r, /machine\.memoryMiB: 1,000,000,000 MiB is outside the allowed range \d+\.\.1,024 MiB/);
    info.config.machine.memoryMiB = 0;
    writeFileSync(f("beside/looproot-config.json"), JSON.stringify(info));
    refused(
      await cli(["boot", "--floppy", f("beside/floppy.img"), "--disk", f("beside/disk.img")]),
      /machine\.memoryMiB: 0 MiB is outside/,
    );
    // Not UTF-8 (a Latin-1 name edited in): refused with the byte, not read with U+FFFD nor skipped.
    const good = JSON.stringify({ ...info, config: { ...info.config, machine: { memoryMiB: 64 } } });
    const at = good.indexOf('"hostname":"') + '"hostname":"'.length;
    writeFileSync(
      f("beside/looproot-config.json"),
      Buffer.concat([Buffer.from(good.slice(0, at)), Buffer.from([0xe9]), Buffer.from(good.slice(at))]),
    );
    refused(
      await cli(["boot", "--floppy", f("beside/floppy.img"), "--disk", f("beside/disk.img")]),
      new RegExp(
        `config beside the images .*looproot-config\\.json: is not UTF-8 text: byte ${at.toLocaleString("en-US")} \\(0xe9\\)`,
      ),
    );
  });
  it("shell checks the same way", () => {
    const e = (() => {
      try {
        shellInputs(
          parseArgs([
            "shell",
            "--floppy",
            f("out/floppy.img"),
            "--disk",
            f("out/disk.img"),
            "--set",
            "machine.memoryMiB=4096",
          ]),
        );
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(LooprootError);
    expect((e as LooprootError).code).toBe(ErrorCode.Config);
    expect((e as LooprootError).field).toBe("machine.memoryMiB");
  });
  it("bootHowto refuses a config build would refuse, before starting v86", async () => {
    const images = {
      floppy: new Uint8Array(readFileSync(f("out/floppy.img"))),
      disk: new Uint8Array(readFileSync(f("out/disk.img"))),
    };
    for (const m of [4096, Infinity, 0, 1e9]) {
      const e = await bootHowto(images, { machine: { memoryMiB: m } }).then(
        () => undefined,
        (x) => x,
      );
      expect(e).toBeInstanceOf(LooprootError);
      expect((e as LooprootError).field).toBe("machine.memoryMiB");
    }
  });
});

describe("strict settings", () => {
  it("numbers in --set are decimal digits only", async () => {
    for (const v of ["0x10", "0b10000", "+16", "16\u00a0", " 16", "1e-400", "1e1", "16.0", "", "1234567890123456"]) {
      const r = await cli(["build", "--out", f("strict"), "--set", `swap.sizeMiB=${v}`]);
      refused(r, /swap\.sizeMiB must be a whole number written in decimal digits 0-9/);
      expect(r.errLines).toHaveLength(1);
    }
  });
  it("--timeout is whole seconds in decimal digits", async () => {
    for (const v of ["0x10", "1e3", "+60", "1.5", "0", "3601", "\x1b[2J"]) {
      const r = await cli(["boot", "--floppy", f("out/floppy.img"), "--disk", f("out/disk.img"), "--timeout", v]);
      refused(r, /--timeout .*: expected whole seconds between 1 and 3600, in decimal digits/);
      expect(r.errLines).toHaveLength(1);
    }
  });
  it("prototype names are unknown settings, in --set and in a config file", async () => {
    for (const s of [
      "toString=x",
      "__proto__.toString=x",
      "constructor=1",
      "swap.hasOwnProperty=1",
      "root.__proto__=1",
    ]) {
      const r = await cli(["build", "--out", f("strict"), "--set", s]);
      refused(r, /is not a known setting/);
      expect(r.errLines).toHaveLength(1);
    }
    for (const text of ['{"__proto__": {"toString": 1}}', '{"toString": 1}', '{"swap": {"constructor": 1}}']) {
      writeFileSync(f("proto.json"), text);
      refused(
        await cli(["build", "--out", f("strict"), "--config", f("proto.json")]),
        /(__proto__|toString|swap\.constructor): is not a known setting/,
      );
    }
  });
  it("a config file: numbers in decimal digits, UTF-8 only, each refused with its byte offset", async () => {
    writeFileSync(f("num.json"), '{"swap": {"sizeMiB": 1e-400}}');
    refused(
      await cli(["build", "--out", f("strict"), "--config", f("num.json")]),
      /--config .*num\.json: byte 21: 1e-400 is not a whole number written in decimal digits/,
    );
    writeFileSync(f("num.json"), '{"name": "1e9", "swap": {"sizeMiB": 16.0}}');
    refused(
      await cli(["build", "--out", f("strict"), "--config", f("num.json")]),
      /byte 36: 16\.0 is not a whole number/,
    );
    writeFileSync(
      f("latin1.json"),
      Buffer.concat([Buffer.from('{"root": {"hostname": "caf'), Buffer.from([0xe9]), Buffer.from('"}}')]),
    );
    refused(
      await cli(["build", "--out", f("strict"), "--config", f("latin1.json")]),
      /--config .*latin1\.json: is not UTF-8 text: byte 26 \(0xe9\) starts no UTF-8 character/,
    );
  });
});

describe("terminal-safe messages", () => {
  it("control characters from a value are shown escaped, on one line", async () => {
    const r = await cli([
      "build",
      "--out",
      f("strict"),
      "--set",
      "root.hostname=\x1b]0;pwned\x07\r\nlooproot: VERIFIED\x00",
    ]);
    refused(r, /root\.hostname: "\\x1b\]0;pwned\\x07\\x0d\\x0alooproot: VERIFIED\\x00" is not a host name/);
    expect(r.errLines).toHaveLength(2);
    const k = await cli(["build", "--out", f("strict"), "--set", "\x1b[2J=1"]);
    refused(k, /--set \\x1b\[2J=1: \\x1b\[2J is not a known setting/);
  });
  it("a 10,000-character value is cut, with its length", async () => {
    const r = await cli(["build", "--out", f("strict"), "--set", `root.label=${"A".repeat(10_000)}`]);
    refused(r, /root\.label: "A+\.\.\. \(\d{2},\d{3} characters\)/);
    expect(r.err.length).toBeLessThan(1200);
    const s = await cli(["build", "--out", f("strict"), "--set", `swap.sizeMiB=${"9".repeat(10_000)}`]);
    refused(s, /--set swap\.sizeMiB=9+\.\.\. \(10,013 characters\): swap\.sizeMiB must be a whole number/);
    expect(s.err.length).toBeLessThan(400);
  });
});

describe("right diagnoses", () => {
  const alone = (name: string, bytes: Uint8Array) => {
    // Beside a copy of the disk but without the build's config: boot reads the images themselves.
    cpSync(f("out/disk.img"), f("alone/disk.img"));
    writeFileSync(f(`alone/${name}`), bytes);
    return cli(["boot", "--floppy", f(`alone/${name}`), "--disk", f("alone/disk.img"), "--timeout", "5"]);
  };
  const floppy = () => new Uint8Array(readFileSync(f("out/floppy.img")));
  it("a floppy with one bad BPB byte is a damaged FAT volume, not an MBR disk", async () => {
    for (const [off, v, want] of [
      [11, 1, /BPB_BytsPerSec 513/],
      [13, 3, /BPB_SecPerClus 3 is not a power of two/],
      [16, 0, /BPB_NumFATs 0/],
    ] as const) {
      const b = floppy();
      b[off] = v;
      writeFileSync(f("bpb.img"), b);
      const r = await cli(["inspect", f("bpb.img")]);
      refused(r, want);
      expect(r.err).not.toMatch(/MBR|partition/);
      const boot = await alone("bpb.img", b);
      refused(
        boot,
        new RegExp(
          `^looproot: --floppy ${f("alone/bpb.img").replace(/[/.]/g, "\\$&")}: not a boot floppy: FAT image: ${want.source}`,
        ),
      );
    }
  });
  it("boot names --floppy and the file: a size no floppy has, a floppy that is no boot floppy", async () => {
    const odd = new Uint8Array(1_474_560 + 512);
    odd.set(floppy());
    refused(
      await alone("odd.img", odd),
      /--floppy .*odd\.img: is 1,475,072 bytes, not the size of a floppy disk \(360K 368,640, .*2\.88M 2,949,120\)/,
    );
    refused(
      await alone("zero.img", new Uint8Array(1_474_560)),
      /^looproot: --floppy .*zero\.img: not a boot floppy: its first sector has no boot signature/,
    );
  });
  it("an AUTOEXEC.BAT line with control characters reaches the terminal escaped", async () => {
    const b = floppy();
    const at = Buffer.from(b).indexOf("\\zImage");
    expect(at).toBeGreaterThan(0);
    b.set(Buffer.from("\\\x1b[2J\x07Z"), at);
    const r = await alone("esc.img", b);
    refused(r, /--floppy .*esc\.img: the LOADLIN line names the kernel \\\\x1b\[2J\\x07Z, which is not on the floppy/);
    expect(r.errLines).toHaveLength(1);
  });
});

describe("image checks before a boot", () => {
  /** The built disk with its FAT16 partition's FAT entries changed (every FAT copy), and a way to find a file's clusters. */
  function damaged(
    change: (chainOf: (name: string) => number[], setFat: (n: number, v: number) => void) => void,
  ): Uint8Array {
    const disk = new Uint8Array(readFileSync(f("out/disk.img")));
    const dv = new DataView(disk.buffer);
    const p = dv.getUint32(446 + 8, true) * 512;
    const bps = dv.getUint16(p + 11, true),
      rsvd = dv.getUint16(p + 14, true),
      nfats = disk[p + 16],
      fatSz = dv.getUint16(p + 22, true);
    const get = (n: number) => dv.getUint16(p + rsvd * bps + 2 * n, true);
    const setFat = (n: number, v: number) => {
      for (let k = 0; k < nfats; k++) dv.setUint16(p + (rsvd + k * fatSz) * bps + 2 * n, v, true);
    };
    const x = inspect(disk);
    if (x.kind !== "disk" || !x.disk.fat) throw new Error("the built disk has no FAT");
    const chainOf = (name: string) => {
      const first = x.disk.fat!.files.find((e) => e.path.endsWith(name))!.runs[0][0];
      const out = [first];
      while (get(out[out.length - 1]) < 0xfff8) out.push(get(out[out.length - 1]));
      return out;
    };
    change(chainOf, setFat);
    return disk;
  }
  const bootWith = (name: string, disk: Uint8Array) => {
    writeFileSync(f(`out/${name}`), disk);
    // Beside the build's config (boot then reads nothing from the images) and alone (it reads them): refused both ways.
    return Promise.all([
      cli(["boot", "--floppy", f("out/floppy.img"), "--disk", f(`out/${name}`), "--timeout", "5"]),
      (async () => {
        cpSync(f("out/floppy.img"), f("alone/floppy.img"));
        writeFileSync(f(`alone/${name}`), disk);
        return cli(["boot", "--floppy", f("alone/floppy.img"), "--disk", f(`alone/${name}`), "--timeout", "5"]);
      })(),
    ]);
  };
  it("a looping, short or cross-linked chain of the root or swap file is refused, not booted", async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      [
        "loop.img",
        damaged((chain, set) => {
          const c = chain("LINUXSWP.IMG");
          set(c[c.length - 2], c[10]);
        }),
        /LINUX\\LINUXSWP\.IMG: the cluster chain loops at cluster/,
      ],
      [
        "short.img",
        damaged((chain, set) => {
          const c = chain("LINUXSWP.IMG");
          set(c[5], 0xffff);
        }),
        /LINUX\\LINUXSWP\.IMG: [\d,]+ bytes need \d+ clusters but the chain has 6/,
      ],
      [
        "free.img",
        damaged((chain, set) => {
          const c = chain("LINUXDSK.IMG");
          set(c[3], 0);
        }),
        /LINUX\\LINUXDSK\.IMG: the cluster chain runs into a free cluster/,
      ],
      [
        "cross.img",
        damaged((chain, set) => {
          const r = chain("LINUXDSK.IMG"),
            w = chain("LINUXSWP.IMG");
          set(w[w.length - 2], r[r.length - 1]);
        }),
        /LINUX\\LINUX(DSK|SWP)\.IMG: cluster \d+ also belongs to LINUX\\LINUX(DSK|SWP)\.IMG \(cross-linked\)/,
      ],
    ];
    for (const [name, disk, why] of cases) {
      for (const r of await bootWith(name, disk)) {
        refused(r, why);
        expect(r.err).toMatch(
          new RegExp(
            `^looproot: --disk .*${name.replace(".", "\\.")}: the FAT partition (is damaged|cannot be read): `,
          ),
        );
        expect(r.out).not.toMatch(/VERIFIED/);
      }
    }
    // fsck.fat (on the partition alone: it takes no offset) agrees that each is damaged, and that the built one is not.
    const fsck = (disk: Uint8Array) => {
      const part = disk.subarray(new DataView(disk.buffer, disk.byteOffset).getUint32(446 + 8, true) * 512);
      writeFileSync(f("part.img"), part);
      return spawnSync("fsck.fat", ["-n", f("part.img")], { encoding: "utf8" });
    };
    expect(fsck(new Uint8Array(readFileSync(f("out/disk.img")))).status).toBe(0);
    for (const [name, disk] of cases) {
      const r = fsck(disk);
      expect(r.status, `${name}: ${r.stdout}`).toBe(1);
    }
  });
});

describe("nothing is left behind", () => {
  it("write-back copies left by a killed looproot beside the disk are removed by the next boot", async () => {
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!; // exited: its PID names no process now
    const other = spawn("sleep", ["30"]); // alive, but not a looproot: a recycled PID
    try {
      for (const pid of [dead, other.pid!]) writeFileSync(f(`out/.disk.img.looproot-${pid}`), new Uint8Array(4096));
      writeFileSync(f("out/.disk.img.looproot-notes"), "not ours");
      const r = await boot("--set", "machine.memoryMiB=4096");
      expect(r.code).toBe(2);
      for (const pid of [dead, other.pid!]) {
        expect(existsSync(f(`out/.disk.img.looproot-${pid}`))).toBe(false);
        expect(r.out).toContain(
          `.disk.img.looproot-${pid}: removed, a write-back copy left by a looproot that was killed (PID ${pid})`,
        );
      }
      expect(existsSync(f("out/.disk.img.looproot-notes"))).toBe(true);
      // One whose writer runs (this test's own process stands for it) is left alone.
      const mine = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"]);
      try {
        writeFileSync(f(`out/.disk.img.looproot-${mine.pid}`), "in progress");
        await boot("--set", "machine.memoryMiB=4096");
        expect(existsSync(f(`out/.disk.img.looproot-${mine.pid}`))).toBe(true);
      } finally {
        mine.kill("SIGKILL");
      }
      await boot("--set", "machine.memoryMiB=4096");
      expect(existsSync(f(`out/.disk.img.looproot-${mine.pid}`))).toBe(false);
    } finally {
      other.kill("SIGKILL");
    }
  });
  it("a build that fills the disk (ENOSPC) says so and leaves no DIR/.partial behind", async (t) => {
    // A 4 MiB tmpfs (root can mount one; elsewhere the case is skipped, saying why).
    const tiny = f("tiny");
    mkdirSync(tiny);
    if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", tiny]).status !== 0)
      return t.skip("cannot mount a tmpfs here (not root)");
    try {
      const r = await cli(["build", "--out", join(tiny, "out")]);
      refused(r, /^looproot: --out .*tiny\/out: the disk is full \(ENOSPC/);
      expect(readdirSync(join(tiny, "out"))).toEqual([]);
      expect(statfsSync(tiny).bfree).toBe(statfsSync(tiny).blocks);
    } finally {
      spawnSync("umount", [tiny]);
    }
  });
});
