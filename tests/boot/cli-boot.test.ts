// `looproot run` and `looproot boot` as a user runs them: exit 0 only for a verified loop root.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryNeeds } from "../../src/howto/memory.ts";
import { config } from "./chain.ts";

const cli = (args: string[]) =>
  spawnSync("node", ["bin/looproot.mjs", ...args], { encoding: "utf8", timeout: 170_000 });

describe("looproot boot / run", () => {
  const out = mkdtempSync(join(tmpdir(), "lr-cliboot-"));

  it("run --engine qemu --json builds, boots and reports a verified loop root", () => {
    const r = cli(["run", "--engine", "qemu", "--out", out, "--json", "--timeout", "150"]);
    expect(r.status, r.stderr + r.stdout.slice(-2000)).toBe(0);
    const j = JSON.parse(r.stdout.slice(r.stdout.indexOf("{")));
    expect(j.ok).toBe(true);
    expect(j.report.rootdev).toBe("7:0");
    expect(j.milestones.map((m: { id: string }) => m.id)).toContain("old-root-moved");
  }, 180_000);

  it("boot --engine qemu --machine q35 --cpu pentium2 --ram MIN --json names the PC it verified", () => {
    const min = memoryNeeds(config()).minMiB;
    const r = cli([
      "boot",
      "--engine",
      "qemu",
      "--machine",
      "q35",
      "--cpu",
      "pentium2",
      "--ram",
      String(min),
      "--floppy",
      join(out, "floppy.img"),
      "--disk",
      join(out, "disk.img"),
      "--json",
    ]);
    expect(r.status, r.stderr + r.stdout.slice(-2000)).toBe(0);
    const j = JSON.parse(r.stdout.slice(r.stdout.indexOf("{")));
    expect(j.machine).toMatchObject({ engine: "qemu", machine: "q35", cpu: "pentium2", memoryMiB: min });
    expect(j.machine.description).toContain("AHCI");
    expect(j.report.memTotalKiB).toBeLessThanOrEqual(min * 1024);
  }, 180_000);

  it("boot refuses a disk whose partition is not FAT with exit 2 before booting (the image checks)", () => {
    const disk = new Uint8Array(readFileSync(join(out, "disk.img")));
    disk[446 + 4] = 0x05;
    writeFileSync(join(out, "bad.img"), disk);
    const r = cli([
      "boot",
      "--engine",
      "qemu",
      "--floppy",
      join(out, "floppy.img"),
      "--disk",
      join(out, "bad.img"),
      "--timeout",
      "150",
    ]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain("--disk");
    expect(r.stderr).toContain("0x05");
  }, 180_000);

  it("boot exits 1 and names the stage when the root image inside the disk is damaged", () => {
    // The ext2 superblock of LINUXDSK.IMG, found in the partition by its bytes: without its magic
    // DOS, LOADLIN, /linuxrc and the loop devices all work, and the kernel cannot mount /dev/loop0.
    const disk = new Uint8Array(readFileSync(join(out, "disk.img")));
    const sb = new Uint8Array(readFileSync(join(out, "linuxdsk.img"))).subarray(1024, 2048);
    const at = Buffer.from(disk).indexOf(Buffer.from(sb));
    expect(at).toBeGreaterThan(0);
    disk[at + 56] = 0;
    disk[at + 57] = 0;
    writeFileSync(join(out, "bad-root.img"), disk);
    const r = cli([
      "boot",
      "--engine",
      "qemu",
      "--floppy",
      join(out, "floppy.img"),
      "--disk",
      join(out, "bad-root.img"),
      "--timeout",
      "150",
    ]);
    expect(r.status, r.stderr + r.stdout.slice(-1500)).toBe(1);
    expect(r.stdout).toContain("NOT VERIFIED (qemu)");
    expect(r.stdout).toContain('failed at "root mounted from 7:0"');
  }, 180_000);

  it("boot refuses missing files with exit 2", () => {
    const r = cli(["boot", "--floppy", join(out, "nope.img"), "--disk", join(out, "disk.img")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("nope.img: no such file");
  });
});
