// The committed busybox builds carry the applets the initrd's /linuxrc and the
// loop root's userland need. They are static i386 ELF files: each test runs them
// every way this host offers (directly, and through qemu-i386; see tests/helpers/i386.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IMAGES_DIR } from "../../images/manifest.ts";
import { i386Ways, runI386, type I386Way } from "../helpers/i386.ts";

const initrd = join(IMAGES_DIR, "busybox", "busybox-initrd");
const root = join(IMAGES_DIR, "busybox", "busybox-root");

const WAYS = i386Ways(initrd);

describe.each(WAYS)("busybox run %s", (way: I386Way) => {
  const execFileSync = (binary: string, args: string[], opts: Parameters<typeof runI386>[3]) => runI386(way, binary, args, opts);
  function applets(binary: string): string[] {
    return execFileSync(binary, ["--list"], { encoding: "utf8" }).trim().split("\n");
  }

  describe("busybox-*.applets", () => {
    it("lists an install path for exactly the applets each binary has", () => {
      for (const binary of [initrd, root]) {
        const paths = readFileSync(`${binary}.applets`, "utf8").trimEnd().split("\n");
        for (const p of paths) expect(p, binary).toMatch(/^\/(bin|sbin|usr\/bin|usr\/sbin)\/[^/]+$/);
        const names = paths.map((p) => p.slice(p.lastIndexOf("/") + 1)).sort();
        // With FEATURE_SH_STANDALONE (the root build) --list names the binary itself too: it has no link.
        expect(names, binary).toEqual(applets(binary).filter((a) => a !== "busybox").sort());
      }
      expect(readFileSync(`${initrd}.applets`, "utf8")).toContain("/sbin/losetup\n");
      expect(readFileSync(`${root}.applets`, "utf8")).toContain("/sbin/init\n");
    });
  });

  describe("busybox-initrd", () => {
    it("has exactly the applets /linuxrc and its error path use", () => {
      expect(applets(initrd).sort()).toEqual(
        ["[", "ash", "cat", "echo", "losetup", "ls", "mkdir", "mount", "sh", "sleep", "test"].sort(),
      );
    });

    it("takes mount options after the operands, as the HOWTO writes them", () => {
      // musl's getopt() would stop at /dev/...; busybox must see -o and try the mount.
      let stderr = "";
      try {
        execFileSync(initrd, ["mount", "-n", "-t", "msdos", "/nonexistent1", "/nonexistent2", "-o", "uid=0,gid=0,umask=000,quiet"], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
      } catch (e) {
        stderr = (e as { stderr: string }).stderr;
      }
      expect(stderr).toContain("mount: mounting /nonexistent1 on /nonexistent2 failed");
    });

    it("runs the HOWTO's /linuxrc logic down its error path", () => {
      const dir = mkdtempSync(join(tmpdir(), "looproot-busybox-"));
      try {
        const script = join(dir, "linuxrc");
        // The HOWTO's script with an unmountable device: the else branch must run.
        writeFileSync(
          script,
          [
            "echo INITRD: Trying to mount /dev/nonexistent1 as msdos",
            "if mount -n -t msdos /dev/nonexistent1 /nonexistent 2>/dev/null; then",
            "  echo INITRD: Mounted OK",
            "  exit 0",
            "else",
            "  echo INITRD: Mount failed",
            "  [ -d / ] && ls / >/dev/null && cat /dev/null && sleep 0",
            "  exit 1",
            "fi",
            "",
          ].join("\n"),
        );
        let out = "";
        let status = 0;
        try {
          execFileSync(initrd, ["sh", script], { encoding: "utf8" });
        } catch (e) {
          const err = e as { status: number; stdout: string };
          status = err.status;
          out = err.stdout;
        }
        expect(status).toBe(1);
        expect(out).toBe("INITRD: Trying to mount /dev/nonexistent1 as msdos\nINITRD: Mount failed\n");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("busybox-root", () => {
    it("has the comfortable userland", () => {
      const have = new Set(applets(root));
      const want =
        "init sh ash mount umount swapon swapoff losetup ls cat cp mv rm mkdir rmdir ln chmod chown df du free ps top " +
        "dmesg vi less more grep sed awk find xargs tar gzip gunzip uname hostname sync reboot poweroff halt head tail " +
        "wc sort uniq cut tr date sleep clear stat md5sum sha256sum hexdump od dd mknod mkswap fdisk blkid mountpoint " +
        "id whoami env which printf test [ true false yes seq basename dirname readlink realpath touch kill killall " +
        "pidof watch uptime";
      const missing = want.split(" ").filter((a) => !have.has(a));
      expect(missing).toEqual([]);
    });

    it("has a shell with arithmetic, pipes and job control", () => {
      const out = execFileSync(
        root,
        ["sh", "-c", 'sleep 0 & wait; echo $((6*7)) | sed s/4/X/; printf "b\\na\\n" | sort | tr "\\n" " "'],
        { encoding: "utf8" },
      );
      expect(out).toBe("X2\na b ");
    });
  });
});
