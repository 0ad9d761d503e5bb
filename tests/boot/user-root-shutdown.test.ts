// A user's own root whose `poweroff` does not halt the machine: shutdownGuest waits for it, then
// types the HOWTO's shutdown steps at the console (sync, swapoff, the loop root read-only, the
// DOS partition unmounted, halt), and the disk the guest leaves is clean by fsck.fat and e2fsck.
import { describe, it, expect } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTar } from "../../src/fs/tar.ts";
import { gzip9 } from "../../src/fs/gzip.ts";
import type { Tree } from "../../src/fs/tree.ts";
import { busyboxTree, textEntry } from "../helpers/busybox-tree.ts";
import { loadIngredients, loadBios } from "../../src/node/ingredients.ts";
import { startEngine } from "../../emulator/node-engines.ts";
import { bootAndVerify, runShellCommand } from "../../emulator/harness.ts";
import { shutdownGuest } from "../../emulator/shutdown.ts";
import { SHUTDOWN } from "../../src/howto/protocol.ts";
import { config, build, timeline } from "./chain.ts";
import { expectKeptWork } from "./diskcheck.ts";

const REFUSED = "poweroff: this root does not power off";

/** A busybox system whose poweroff and halt-by-signal do nothing but say so; halt -f still works. */
function stubbornRoot(): Tree {
  const stub = `#!/bin/sh\necho "${REFUSED}" >&2\nexit 1\n`;
  const tree = busyboxTree((a) => (/\/poweroff$/.test(a) ? textEntry(a, 0o755, stub) : undefined));
  tree.push(textEntry("/etc/inittab", 0o644, "ttyS0::respawn:-/bin/sh\n"));
  // This busybox's ash runs its own applets before anything on PATH (FEATURE_SH_STANDALONE), so the
  // login shell is pointed at the root's poweroff by a function, as a profile would do.
  tree.push(textEntry("/etc/profile", 0o644, 'poweroff() { /sbin/poweroff "$@"; }\n'));
  return tree;
}

describe("a user's own root whose poweroff does not halt", () => {
  it("gets the shutdown steps typed at the console, and its disk is left clean", async () => {
    const ing = loadIngredients();
    expect(
      ing.rootApplets.some((a) => a.endsWith("/poweroff")),
      "the busybox root has a poweroff applet to replace",
    ).toBe(true);
    const c = config({ root: { source: "tar" } });
    const images = build(c, gzip9(writeTar(stubbornRoot())));
    const dir = mkdtempSync(join(tmpdir(), "lr-user-shutdown-"));
    const path = join(dir, "disk.img");
    writeFileSync(path, images.disk);
    const engine = await startEngine("qemu", {
      floppy: images.floppy,
      disk: images.disk,
      diskFile: path,
      memoryMiB: c.machine.memoryMiB,
      ...loadBios(),
    });
    try {
      const result = await bootAndVerify(engine, c, { timeoutS: 90, stopAtEnd: false });
      expect(result.ok, timeline(result)).toBe(true);
      expect(
        await runShellCommand(engine, "echo hello > /root/x; echo note > /DOS/NOTE.TXT; sync; cat /root/x", 60_000),
      ).toContain("hello");
      let seen = "";
      engine.onSerial((t) => (seen += t));
      const r = await shutdownGuest(engine, c, { ownShutdownMs: 5_000, timeoutMs: 60_000 });
      console.log(`user root: ${r.status} in ${r.ms} ms, steps typed: ${r.typedSteps}, ${r.line}`);
      expect(seen).toContain(REFUSED);
      expect(r.typedSteps).toBe(true);
      expect(r.status, `${r.line}\n${seen.slice(-1500)}`).toBe("clean");
      expect(r.line).toBe(SHUTDOWN.done);
    } finally {
      await engine.stop();
    }
    expectKeptWork(path, dir);
  }, 240_000);
});
