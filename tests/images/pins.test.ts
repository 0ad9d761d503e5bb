// The recipes' pinned inputs (images/lib.sh): a version that has left Debian's archive is named
// with the variable to move and the versions there are, and the recipe exits 75 (PIN_GONE), which
// check-reproducible.sh reports as "not rebuilt" instead of "not reproducible".
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IMAGES_DIR } from "../../images/manifest.ts";

const hasApt = spawnSync("apt-cache", ["madison", "nasm"], { encoding: "utf8" }).stdout?.includes("nasm");

function lib(script: string) {
  const dir = mkdtempSync(join(tmpdir(), "looproot-pins-"));
  try {
    return spawnSync("bash", ["-c", `LIB_NAME=test PIN_FILE=images/test/build.sh; . ${JSON.stringify(join(IMAGES_DIR, "lib.sh"))}; ${script}`], {
      encoding: "utf8",
      env: { ...process.env, DIR: dir },
      timeout: 180_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("pinned inputs", () => {
  it.runIf(hasApt)("a binary pin gone from the archive names the variable, the versions there and exits 75", () => {
    const r = lib(`fetch_debs "$DIR" "NASM_VERSION=nasm=0.0.0-gone"`);
    expect(r.status).toBe(75);
    expect(r.stderr).toContain("the pinned binary package nasm=0.0.0-gone is no longer in the archive");
    expect(r.stderr).toMatch(/set NASM_VERSION in images\/test\/build\.sh to one of: .*2\.16\.01-1/);
  });

  it.runIf(hasApt)("a source pin gone from the archive does the same", () => {
    const r = lib(`fetch_source "$DIR" BUSYBOX_VERSION "busybox=0.0.0-gone"`);
    expect(r.status).toBe(75);
    expect(r.stderr).toContain("the pinned source package busybox=0.0.0-gone is no longer in the archive");
    expect(r.stderr).toContain("set BUSYBOX_VERSION in images/test/build.sh");
  });

  it("no recipe takes an input from what the machine has installed", () => {
    // The kernel source once came from the installed linux-source-6.1; nasm from the installed nasm.
    for (const f of ["kernel/build.sh", "busybox/build.sh", "dos/build.sh", "debian/fetch.sh"]) {
      const s = readFileSync(join(IMAGES_DIR, f), "utf8");
      expect(s, f).not.toMatch(/(?:^|[\s"'=])\/usr\/src\/linux-source|dpkg-query -W -f='\$\{Version\}'|need_pkgs[^\n]*\b(linux-source|nasm|musl|loadlin|seabios)\b/);
      expect(s, f).toMatch(/^\. "\$\(dirname "\$0"\)\/\.\.\/lib\.sh"$/m);
    }
  });
});
