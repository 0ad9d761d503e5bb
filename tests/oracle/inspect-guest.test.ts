// A disk the booted guest changed: Linux (in QEMU, booting the disk file itself) writes files into its loop root and onto the
// DOS partition, syncs, and the disk is then inspected. The root image found on it must read as
// debugfs reads the same LINUXDSK.IMG (taken out with mcopy), and C:'s files as mdir lists them.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { runShellCommand, bootAndVerify } from "../../emulator/harness.ts";
import { startEngine } from "../../emulator/node-engines.ts";
import { loadBios } from "../../src/node/ingredients.ts";
import { config, build, timeline } from "../boot/chain.ts";
import { inspect } from "../../src/fs/views/maps.ts";
import { readExt2 as readDebugfs, diffTrees, scratchBase } from "./ext2-read.ts";

const hasQemu = (() => {
  try {
    execFileSync("qemu-system-i386", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let dir = "";
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(scratchBase(), "inspect-guest-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasQemu)("inspect: a disk the guest wrote", () => {
  it("the guest's files in the root image equal debugfs's reading; C:'s equal mdir's", async () => {
    const c = config();
    const images = build(c);
    // QEMU boots the disk file itself, so the guest's writes land in it.
    const diskFile = path.join(dir, "guest-disk.img");
    fs.writeFileSync(diskFile, images.disk);
    const engine = await startEngine("qemu", {
      floppy: images.floppy,
      diskFile,
      memoryMiB: c.machine.memoryMiB,
      ...loadBios(),
    });
    try {
      const result = await bootAndVerify(engine, c, { timeoutS: 120, stopAtEnd: false });
      expect(result.ok, timeline(result)).toBe(true);
      const made = await runShellCommand(
        engine,
        [
          "mkdir -p /guest/sub && cd /guest && echo hello > hello.txt && ln -s hello.txt link",
          "ln -s /" +
            "y".repeat(100) +
            " slowlink && ln hello.txt hard && mknod blk b 7 9 && mknod big c 300 70000 && mknod fifo p",
          "dd if=/dev/urandom of=rand bs=1k count=300 2>/dev/null && chown 1000:2000 rand && chmod 4711 rand && echo $((1+1)) > sub/two",
          "cd / && echo guestmade",
        ].join(" && "),
        60_000,
      );
      expect(made).toContain("guestmade");
      await runShellCommand(
        engine,
        "echo from the guest > /DOS/GUEST.TXT; sync; mount -o remount,ro / 2>/dev/null; sync; sleep 1",
        60_000,
      );
    } finally {
      await engine.stop();
    }
    const disk = new Uint8Array(fs.readFileSync(diskFile));

    const x = inspect(disk);
    if (x.kind !== "disk" || !x.root || !x.files) throw new Error(`inspected as ${x.kind} without a root image`);
    const at = `${diskFile}@@${x.disk.fat!.offset}`;
    const rootFile = path.join(dir, "linuxdsk.img");
    execFileSync("mcopy", ["-n", "-i", at, "::/LINUX/LINUXDSK.IMG", rootFile]);
    expect(diffTrees(readDebugfs(rootFile), x.root.ext2.tree)).toEqual([]);
    const byPath = new Map(x.root.ext2.tree.map((e) => [e.path, e]));
    // Tree order puts "hard" before "hello.txt": the first path of the inode carries the data.
    expect(byPath.get("/guest/hard")).toMatchObject({ kind: "file", data: new TextEncoder().encode("hello\n") });
    expect(byPath.get("/guest/hello.txt")).toMatchObject({ kind: "hardlink", target: "/guest/hard" });
    expect(byPath.get("/guest/big")).toMatchObject({ kind: "chardev", major: 300, minor: 70000 });
    expect(byPath.get("/guest/rand")).toMatchObject({ uid: 1000, gid: 2000, mode: 0o4711 });
    expect(byPath.get("/guest/slowlink")!.target).toBe("/" + "y".repeat(100));

    const mdir = execFileSync("mdir", ["-/", "-a", "-i", at, "::"], { encoding: "latin1" });
    expect(mdir).toMatch(/^GUEST +TXT +15 /m);
    expect(x.files.map((f) => f.path)).toContain("GUEST.TXT");
    expect(new TextDecoder().decode(x.files.find((f) => f.path === "GUEST.TXT")!.data())).toBe("from the guest\n");
  }, 400_000);
});
