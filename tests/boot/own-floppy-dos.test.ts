// Issue 9.9 and 10.4: looproot's own floppy.img given as "my own DOS floppy" (the CLI's --dos,
// the same function as the page's upload) keeps its kernel file LRDOS.SYS, and the new floppy boots.
import { describe, it, expect } from "vitest";
import { spawnSync, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFat, ATTR_SYSTEM, ATTR_HIDDEN } from "../../src/fs/fat/index.ts";
import { dosFromFloppy } from "../../src/ingredients.ts";
import { dosFromFloppy as pageDosFromFloppy } from "../../src/app/ingredients.ts";
import { config, boot, timeline } from "./chain.ts";
import { buildImages } from "../../src/build.ts";
import { loadIngredients } from "../../src/node/ingredients.ts";

const cli = (args: string[]) =>
  spawnSync("node", ["bin/looproot.mjs", ...args], { encoding: "utf8", timeout: 170_000 });

describe("our own floppy as the DOS floppy", () => {
  const out = mkdtempSync(join(tmpdir(), "lr-owndos-"));

  it("--dos takes LRDOS.SYS and COMMAND.COM from it, and the floppy it makes is clean and boots in v86", async () => {
    expect(cli(["build", "--out", join(out, "a")]).status).toBe(0);
    const ours = join(out, "a", "floppy.img");
    const bytes = new Uint8Array(readFileSync(ours));
    const dos = dosFromFloppy(bytes);
    expect(dos.files.map((f) => f.name)).toEqual(["LRDOS.SYS", "COMMAND.COM"]);
    expect(pageDosFromFloppy(bytes)).toEqual(dos); // the page's upload is the same function

    const b = cli(["build", "--out", join(out, "b"), "--dos", ours]);
    expect(b.status, b.stderr).toBe(0);
    const floppy = join(out, "b", "floppy.img");
    execFileSync("fsck.fat", ["-n", floppy], { stdio: "pipe" });
    const vol = readFat(new Uint8Array(readFileSync(floppy)));
    const sys = vol.entries.find((e) => e.path === "LRDOS.SYS")!;
    expect(sys.attributes & (ATTR_SYSTEM | ATTR_HIDDEN)).toBe(ATTR_SYSTEM | ATTR_HIDDEN);
    expect(vol.entries[0].path).toBe("LRDOS.SYS");

    const c = config();
    const images = buildImages({ config: c, ingredients: { ...loadIngredients(), dos } });
    expect(Buffer.from(images.floppy).equals(readFileSync(floppy))).toBe(true);
    const { result } = await boot("v86", c, images.floppy, images.disk);
    expect(result.ok, timeline(result)).toBe(true);
    expect(result.milestones.map((m) => m.id)).toContain("dos");
    rmSync(out, { recursive: true, force: true });
  }, 400_000);

  it("--dos refuses what is not a DOS floppy with exit 2 and the reason", () => {
    const r = cli(["build", "--out", join(out, "c"), "--dos", "package.json"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^looproot: --dos package\.json: DOS floppy: FAT image: /);
    const r2 = cli(["build", "--out", join(out, "c"), "--dos", join(out, "missing.img")]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain("missing.img: no such file");
  });
});
