// "Copy an existing Linux installation into it": a small busybox system packed by the test as a
// tar.gz becomes the loop root, gets the HOWTO's changes, and boots to a verified loop root.
import { describe, it, expect } from "vitest";
import { writeTar } from "../../src/fs/tar.ts";
import { gzip9 } from "../../src/fs/gzip.ts";
import type { Tree } from "../../src/fs/tree.ts";
import { busyboxTree, textEntry } from "../helpers/busybox-tree.ts";
import { config, build, boot, timeline } from "./chain.ts";
import { thrownLooproot } from "../unit/thrown.ts";
import { ErrorCode } from "../../src/errors.ts";

function busyboxSystem(): Tree {
  const tree = busyboxTree();
  tree.push(textEntry("/etc/inittab", 0o644, "ttyS0::respawn:-/bin/sh\n"));
  tree.push(textEntry("/etc/issue", 0o644, "a user's own root\n"));
  return tree;
}

describe("a user-supplied root tarball", () => {
  it("boots to a verified loop root in QEMU, with the HOWTO's changes added", async () => {
    const c = config({ root: { source: "tar" } });
    const archive = gzip9(writeTar(busyboxSystem()));
    const images = build(c, archive);
    const paths = new Set(images.rootTree.map((x) => x.path));
    for (const p of ["/etc/fstab", "/initrd", "/DOS", "/sbin/looproot-init", "/etc/issue"])
      expect(paths.has(p), p).toBe(true);
    expect(images.texts.autoexecBat).toContain("init=/sbin/looproot-init");
    const { result } = await boot("qemu", c, images.floppy, images.disk);
    expect(result.ok, timeline(result)).toBe(true);
    // Its inittab's shell on ttyS0 is the root's init at its goal.
    expect(result.milestones.find((m) => m.id === "init-ready")!.evidence).toMatch(/shell ready on \/dev\/ttyS0/);
    expect(result.initReady?.what).toBe("a shell answers on the serial console");
  }, 120_000);

  it("a damaged tarball is refused before anything is built", () => {
    const c = config({ root: { source: "tar" } });
    const archive = writeTar(busyboxSystem());
    archive[100] ^= 0xff; // inside the first header: its checksum no longer matches
    const e = thrownLooproot(() => build(c, archive));
    expect(e.code).toBe(ErrorCode.Tar);
    expect(e.field).toBe("root.source");
    expect(e.message).toMatch(/root tarball: header at byte 0 has a bad checksum/);
  });
});
