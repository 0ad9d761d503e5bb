// The busybox root's shutdown: valid shell, the steps in the order that leaves both filesystems
// clean, and the FAT "dirty" bit cleared exactly as fsck.fat sees it.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../../src/config.ts";
import { shutdownScript, consoleShutdownCommand, fatCleanCommand, busyboxRootTree } from "../../src/howto/rootdev.ts";
import { SHUTDOWN, shutdownEnd } from "../../src/howto/protocol.ts";

const c = defaultConfig();
const sh = (script: string) => spawnSync("sh", ["-c", script], { encoding: "utf8" });

describe("the busybox root's shutdown", () => {
  it("is valid shell, run by init on poweroff, and orders swap, root, DOS partition", () => {
    const s = shutdownScript(c);
    expect(spawnSync("sh", ["-n"], { input: s }).status).toBe(0);
    expect(spawnSync("sh", ["-n"], { input: consoleShutdownCommand(c) }).status).toBe(0);
    // Typed at a console, the line is echoed before it runs: its echo must not read as the shutdown's end.
    expect(shutdownEnd(consoleShutdownCommand(c))).toBeUndefined();
    const done = /echo "[^"]*shut""down complete"/.exec(consoleShutdownCommand(c))![0];
    expect(spawnSync("sh", ["-c", done], { encoding: "utf8" }).stdout).toBe(`${SHUTDOWN.done}\n`);
    const at = (x: string) => s.indexOf(x);
    expect(at("kill -TERM -1")).toBeLessThan(at("swapoff /dev/loop1"));
    expect(at("swapoff /dev/loop1")).toBeLessThan(at("remount,ro /"));
    expect(at("remount,ro /")).toBeLessThan(at("umount -n /initrd/mnt"));
    expect(s.trimEnd().endsWith(`fi`)).toBe(true);
    expect(shutdownEnd(`x\n${SHUTDOWN.done}\r\n`)).toEqual({ clean: true, line: SHUTDOWN.done, index: 2 });
    expect(shutdownEnd(`${SHUTDOWN.unclean} root ro=no, dos=dirty\r\n`)).toEqual({
      clean: false,
      line: "LOOPROOT: shutdown unclean: root ro=no, dos=dirty",
      index: 0,
    });
    expect(shutdownEnd(`${SHUTDOWN.begin}\n${SHUTDOWN.rootRo}\n`)).toBeUndefined();
    // Every step's line is in the script the guest runs, as the protocol writes it.
    for (const line of [
      SHUTDOWN.begin,
      SHUTDOWN.swapOff,
      SHUTDOWN.rootRo,
      SHUTDOWN.dosUnmounted,
      SHUTDOWN.dosMarkedClean,
      SHUTDOWN.done,
      SHUTDOWN.unclean,
    ])
      expect(s).toContain(line);
    const tree = new Map(
      busyboxRootTree(c, { busyboxRoot: new Uint8Array(4), rootApplets: ["/bin/sh"] }).map((e) => [e.path, e]),
    );
    expect(new TextDecoder().decode(tree.get("/etc/inittab")!.data)).toContain("::shutdown:/etc/init.d/rcK");
    expect(tree.get("/etc/init.d/rcK")!.mode).toBe(0o755);
  });

  it.each([16, 32])("clears the dirty bit of FAT%i and nothing else", (bits) => {
    const img = join(mkdtempSync(join(tmpdir(), "lr-fatclean-")), "fat.img");
    expect(spawnSync("mkfs.fat", ["-C", "-F", String(bits), img, bits === 32 ? "40000" : "20000"]).status).toBe(0);
    const off = bits === 32 ? 65 : 37;
    sh(`printf '\\003' | dd of=${img} bs=1 seek=${off} conv=notrunc 2>/dev/null`);
    const dirty = readFileSync(img);
    const before = spawnSync("fsck.fat", ["-n", img], { encoding: "utf8" });
    expect(before.status).toBe(1);
    expect(before.stdout).toContain("Dirty bit is set");
    expect(sh(fatCleanCommand(img)).status).toBe(0);
    const clean = readFileSync(img);
    expect(clean[off]).toBe(2); // bit 1 (another flag) kept
    expect(clean.filter((b, i) => b !== dirty[i]).length).toBe(1);
    expect(spawnSync("fsck.fat", ["-n", img]).status).toBe(0);
  });
});
