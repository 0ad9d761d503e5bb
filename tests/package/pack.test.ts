// The package as a user gets it: `npm pack`, installed offline into an empty folder, used with
// nothing but Node. The examples run there against the installed copy (not the repository), and
// their images are checked with the real tools: fsck.fat -n, e2fsck -fn, and a boot in v86.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { build as viteBuild, preview as vitePreview, createServer as viteServer } from "vite";
import { chromium } from "playwright-core";
import { readExt2 as debugfsTree, diffTrees } from "../oracle/ext2-read.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
};
const NPM_ENV = {
  ...process.env,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

let tmp = "";
let tarball = "";
let files: string[] = [];
let app = "";

function run(cmd: string, args: string[], cwd: string, timeout: number) {
  const r = spawnSync(cmd, args, { cwd, env: NPM_ENV, encoding: "utf8", timeout });
  return { status: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}`, error: r.error };
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "looproot-pack-"));
  // prepack compiles dist-lib/ (tsc -p tsconfig.build.json) first.
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", tmp], {
      cwd: ROOT,
      env: NPM_ENV,
      encoding: "utf8",
      timeout: 300_000,
    }),
  ) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
  tarball = join(tmp, packed[0].filename);
  files = packed[0].files.map((f) => f.path).sort();
  console.log(
    `packed ${packed[0].filename}: ${packed[0].size} bytes (${packed[0].unpackedSize} unpacked), ${files.length} files:\n${files.join("\n")}`,
  );

  // The dependencies as this machine installed them, packed too, so the install needs no network
  // (npm's cache here holds no registry metadata, so --offline cannot resolve "pako@^3" by name).
  const deps = Object.keys(pkg.dependencies).map((d) => {
    const out = execFileSync(
      "npm",
      ["pack", "--ignore-scripts", "--pack-destination", tmp, join(ROOT, "node_modules", d)],
      { env: NPM_ENV, encoding: "utf8", timeout: 120_000 },
    );
    return join(tmp, out.trim().split("\n").at(-1)!);
  });
  app = join(tmp, "app");
  execFileSync("mkdir", [app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "looproot-user", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", tarball, ...deps], {
    cwd: app,
    env: NPM_ENV,
    stdio: "pipe",
    timeout: 300_000,
  });
}, 600_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("npm pack", () => {
  it("ships the compiled library, its types, the guest binaries with their licences, and nothing else", () => {
    for (const f of [
      "dist-lib/src/index.js",
      "dist-lib/src/index.d.ts",
      "dist-lib/src/fs/index.js",
      "dist-lib/src/fs/index.d.ts",
      "dist-lib/emulator/index.js",
      "dist-lib/emulator/index.d.ts",
      "dist-lib/emulator/node.js",
      "dist-lib/emulator/node.d.ts",
      "dist-lib/src/node/index.js",
      "dist-lib/src/node/index.d.ts",
      "examples/web/index.html",
      "examples/web/main.js",
      "examples/web/howto.html",
      "examples/web/howto.js",
      "examples/web/vite.config.mjs",
      "bin/looproot.mjs",
      "CHANGELOG.md",
      "docs/API.md",
      "LICENSES/GPL-2.0.txt",
      "LICENSES/LGPL-3.0.txt",
      "images/README.md",
      "images/manifest.json",
      "images/kernel/bzImage",
      "images/dos/LRDOS.SYS",
      "images/debian/bios.bin",
      "examples/fat-floppy.mjs",
    ]) {
      expect(files, f).toContain(f);
    }
    // No TypeScript sources, tests or the recipes' work folders; the recipes themselves, the
    // kernel and busybox configs and the LRDOS assembly ship as the GPL binaries' sources.
    const stray = files.filter(
      (f) =>
        /^(src|tests|emulator|bench|scripts)\//.test(f) ||
        (f.endsWith(".ts") && !f.endsWith(".d.ts")) ||
        /\/(work|tests?)\//.test(f) ||
        (/\.json$/.test(f) &&
          !["package.json", "images/manifest.json"].includes(f) &&
          !/^images\/\w+\/recipe\.json$/.test(f)),
    );
    expect(stray).toEqual([]);
    // Every binary the loaders read is in the package.
    const manifest = JSON.parse(readFileSync(join(ROOT, "images/manifest.json"), "utf8")) as {
      recipes: { outputs: { path: string }[] }[];
    };
    const shipped = manifest.recipes
      .flatMap((r) => r.outputs.map((o) => o.path))
      .filter((p) => !p.startsWith("images/dos/tests/"));
    for (const p of shipped) expect(files, p).toContain(p);
  });

  it("installs offline with only Node: no tsx, and `npx looproot --version` prints the version", () => {
    expect(existsSync(join(app, "node_modules/looproot/dist-lib/src/cli/main.js"))).toBe(true);
    expect(existsSync(join(app, "node_modules/tsx"))).toBe(false);
    expect(existsSync(join(app, "node_modules/looproot/src"))).toBe(false);
    const r = run("npx", ["--offline", "looproot", "--version"], app, 60_000);
    expect(r.out.trim(), r.out).toBe(pkg.version);
    expect(r.status).toBe(0);
    const c = run("npx", ["--offline", "looproot", "config"], app, 60_000);
    expect(c.status, c.out).toBe(0);
    expect(JSON.parse(c.out).time).toBe(896863620);
    // The CLI finds the guest binaries inside the installed package.
    const b = run("npx", ["--offline", "looproot", "build", "--out", "cli-out"], app, 120_000);
    expect(b.status, b.out).toBe(0);
    expect(readdirSync(join(app, "cli-out"))).toEqual(
      expect.arrayContaining(["floppy.img", "disk.img", "looproot-set.json"]),
    );
  }, 150_000);

  it("the installed `npx looproot boot` boots what `looproot build` wrote, in v86", () => {
    const r = run(
      "npx",
      ["--offline", "looproot", "boot", "--floppy", "cli-out/floppy.img", "--disk", "cli-out/disk.img", "--json"],
      app,
      360_000,
    );
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/"ok":\s*true/);
  }, 400_000);

  it("the browser entry points (looproot, looproot/fs, looproot/emulator) import no Node built-in, however deep", () => {
    const builtins = new Set(builtinModules);
    const seen = new Set<string>();
    const bad: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of readFileSync(file, "utf8").matchAll(
        /(?:import|export)\s*(?:[^"';]*?\sfrom\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
      )) {
        const spec = m[1] ?? m[2];
        if (spec.startsWith(".")) walk(resolve(dirname(file), spec));
        else if (spec.startsWith("node:") || builtins.has(spec.split("/")[0])) bad.push(`${file}: ${spec}`);
      }
    };
    const lib = join(app, "node_modules/looproot/dist-lib/src");
    walk(join(lib, "index.js"));
    walk(join(lib, "fs/index.js"));
    walk(join(app, "node_modules/looproot/dist-lib/emulator/index.js"));
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].some((f) => f.endsWith("emulator/harness.js"))).toBe(true);
    expect(bad).toEqual([]);
  });

  it("the installed types refuse the wrong calls of tests/types/wrong-calls.ts, line by line (nodenext)", () => {
    const src = readFileSync(join(ROOT, "tests/types/wrong-calls.ts"), "utf8")
      .replace('"../../src/index.ts"', '"looproot"')
      .replace('"../../src/fs/index.ts"', '"looproot/fs"')
      .replace('"../../emulator/index.ts"', '"looproot/emulator"')
      .replace('"../../emulator/node.ts"', '"looproot/emulator/node"');
    expect(src).not.toContain("../../");
    writeFileSync(join(app, "wrong-calls.ts"), src);
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "ES2022",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules/@types")],
        },
        files: ["wrong-calls.ts"],
      }),
    );
    const r = run(
      process.execPath,
      [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"],
      app,
      120_000,
    );
    expect(r.out).toBe("");
    expect(r.status).toBe(0);
  }, 150_000);

  it("looproot/node and looproot/fs installed: treeFromDirectory's ext2 equals mke2fs -d's by debugfs; a FAT image edited in place passes fsck.fat -n and mtools lists it", () => {
    const dir = join(app, "tree");
    const script = `
      import { mkdirSync, writeFileSync, symlinkSync, linkSync, lchownSync, chmodSync, utimesSync } from "node:fs";
      import { execFileSync } from "node:child_process";
      import { treeFromDirectory } from "looproot/node";
      import { makeExt2, makeFatFloppy, editFat } from "looproot/fs";
      const d = ${JSON.stringify(dir)};
      mkdirSync(d + "/etc", { recursive: true }); mkdirSync(d + "/dev");
      writeFileSync(d + "/etc/motd", "hi\\n"); linkSync(d + "/etc/motd", d + "/etc/motd2");
      symlinkSync("motd", d + "/etc/link"); lchownSync(d + "/etc/motd", 1000, 100); chmodSync(d + "/etc/motd", 0o640);
      execFileSync("mknod", [d + "/dev/console", "c", "5", "1"]); execFileSync("mknod", [d + "/dev/loop0", "b", "7", "0"]);
      execFileSync("mkfifo", [d + "/dev/fifo"]);
      // mke2fs -d gives "/" the filesystem's creation time, not the folder's: the same here.
      utimesSync(d, 1100000000, 1100000000);
      writeFileSync("ours.img", makeExt2({ tree: treeFromDirectory(d), sizeBytes: 2 << 20, time: 1100000000 }));
      const fl = makeFatFloppy({ files: [{ path: "A.TXT", data: new TextEncoder().encode("a") }] });
      editFat(fl, { remove: ["A.TXT"], longNames: true, put: [{ path: "Long Name.txt", data: new TextEncoder().encode("b") }] });
      writeFileSync("edited.img", fl);
    `;
    writeFileSync(join(app, "dir-and-fat.mjs"), script);
    const r = run("node", ["dir-and-fat.mjs"], app, 60_000);
    expect(r.status, r.out).toBe(0);
    const mk = spawnSync(
      "mke2fs",
      ["-q", "-F", "-t", "ext2", "-b", "1024", "-d", dir, join(app, "theirs.img"), "2048"],
      { env: { ...process.env, E2FSPROGS_FAKE_TIME: "1100000000" }, encoding: "utf8" },
    );
    expect(mk.status, mk.stderr).toBe(0);
    expect(run("e2fsck", ["-fn", "ours.img"], app, 30_000).status).toBe(0);
    const ours = debugfsTree(join(app, "ours.img"));
    expect(ours.length).toBeGreaterThan(8);
    expect(diffTrees(debugfsTree(join(app, "theirs.img")), ours)).toEqual([]);
    expect(run("fsck.fat", ["-n", "edited.img"], app, 30_000).status).toBe(0);
    const dirList = spawnSync("mdir", ["-i", join(app, "edited.img"), "-b", "::"], {
      env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
      encoding: "utf8",
    });
    expect(
      dirList.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => l.replace(/^.*\//, "")),
    ).toEqual(["Long Name.txt"]);
  }, 120_000);

  it("examples/fat-floppy.mjs: the floppy passes fsck.fat -n and boots in v86 to the DOS prompt", () => {
    copyFileSync(join(app, "node_modules/looproot/examples/fat-floppy.mjs"), join(app, "fat-floppy.mjs"));
    const r = run("node", ["fat-floppy.mjs"], app, 150_000);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain("Hello from a looproot floppy");
    expect(r.out).toMatch(/A:\\>/);
    const fsck = run("fsck.fat", ["-n", join(app, "floppy.img")], app, 30_000);
    expect(fsck.status, fsck.out).toBe(0);
    const dir = spawnSync("mdir", ["-i", join(app, "floppy.img"), "-b", "-a", "::"], {
      env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
      encoding: "utf8",
    });
    expect(
      dir.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => l.replace(/^.*\//, "")),
    ).toEqual(["LRDOS.SYS", "COMMAND.COM", "AUTOEXEC.BAT", "README.TXT"]);
  }, 200_000);

  it("examples/web from the installed package: Vite builds both pages; in Chromium one makes a floppy fsck.fat accepts, the other boots the HOWTO to a verified loop root", async () => {
    // The tarball's own examples/web, copied out and built where the package is installed, so
    // "looproot", "looproot/emulator" and "looproot/images/..." resolve to the tarball's copy and
    // v86 to the one installed with it. Vite itself is this repository's (the empty folder has none).
    const web = join(app, "web");
    execFileSync("cp", ["-r", join(app, "node_modules/looproot/examples/web"), web]);
    const outDir = join(app, "web-dist");
    const t0 = Date.now();
    await viteBuild({
      root: web,
      configFile: join(web, "vite.config.mjs"),
      logLevel: "error",
      build: { outDir, emptyOutDir: true },
    });
    const buildMs = Date.now() - t0;
    const assets = readdirSync(join(outDir, "assets"));
    const js = assets
      .filter((f) => f.endsWith(".js"))
      .map((f) => readFileSync(join(outDir, "assets", f), "utf8"))
      .join("\n");
    expect(js).not.toMatch(/from\s*["']node:/);
    // The guest binaries and the firmware came through the package's exports, as files of the site.
    for (const name of ["bzImage", "busybox-root", "LOADLIN", "bios", "vgabios-stdvga", "v86"])
      expect(
        assets.some((f) => f.startsWith(name + "-")),
        name,
      ).toBe(true);
    const server = await vitePreview({
      root: web,
      configFile: false,
      logLevel: "error",
      build: { outDir },
      preview: { host: "127.0.0.1", port: 0 },
    });
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    try {
      const addr = server.httpServer.address();
      if (!addr || typeof addr === "string") throw new Error("preview: no address");
      const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${addr.port}/`);
      const pick = (files: [string, string][]) =>
        page.setInputFiles(
          "#files",
          files.map(([name, text]) => ({ name, mimeType: "text/plain", buffer: Buffer.from(text) })),
        );
      // A name DOS cannot hold is refused, naming it; no download is offered.
      await pick([["too-long-name.txt", "x"]]);
      await page.click("#make");
      await page.waitForSelector('#status[data-ok="false"]');
      expect(await page.textContent("#status")).toContain("too-long-name.txt");
      expect(await page.isHidden("#download")).toBe(true);
      await pick([
        ["README.TXT", "Made in a browser by looproot/fs.\r\n"],
        ["HELLO.BAT", "@echo hello\r\n"],
      ]);
      await page.click("#make");
      await page.waitForSelector('#status[data-ok="true"]');
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
      const img = join(app, "web-floppy.img");
      await download.saveAs(img);
      expect(readFileSync(img).length).toBe(1_474_560);
      const fsck = run("fsck.fat", ["-n", img], app, 30_000);
      expect(fsck.status, fsck.out).toBe(0);
      const dir = spawnSync("mdir", ["-i", img, "-b", "-a", "::"], {
        env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
        encoding: "utf8",
      });
      expect(
        dir.stdout
          .split("\n")
          .filter(Boolean)
          .map((l) => l.replace(/^.*\//, "")),
      ).toEqual(["README.TXT", "HELLO.BAT"]);
      const label = spawnSync("mlabel", ["-i", img, "-s", "::"], {
        env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
        encoding: "utf8",
      });
      expect(label.stdout).toContain("MYFLOPPY");

      // The HOWTO page: built in the tab, booted in v86 from looproot/emulator, judged by the harness.
      const t1 = Date.now();
      await page.goto(`http://127.0.0.1:${addr.port}/howto.html`);
      await page.click("#boot");
      await page.waitForSelector("#verdict[data-ok]", { timeout: 200_000 });
      const verdict = (await page.textContent("#verdict")) ?? "";
      expect(await page.getAttribute("#verdict", "data-ok"), verdict).toBe("true");
      expect(verdict).toMatch(
        /^loop root verified: \/ on 7:0 \(\/dev\/loop0\), swap on \/dev\/loop1, \/dev\/sda1 mounted/,
      );
      // The milestones came through onEvent, the screen through the page's element.
      expect(await page.textContent("#log")).toMatch(/LOADLIN starts[\s\S]*root mounted from 7:0/);
      expect(await page.textContent("#screen")).toMatch(/\S/);
      const bootMs = Date.now() - t1;
      console.log(
        `examples/web: vite build ${buildMs} ms; howto.html built and booted to "${verdict.slice(0, 60)}..." in ${bootMs} ms`,
      );
      expect(errors).toEqual([]);

      // `npx vite` too (the dev server serves the guest binaries through the example's config):
      // the page fetches them, builds and boots; Cancel aborts the boot through its AbortSignal,
      // the machine stops and the page says E_ABORTED.
      const t2 = Date.now();
      const dev = await viteServer({
        root: web,
        configFile: join(web, "vite.config.mjs"),
        logLevel: "error",
        server: { host: "127.0.0.1", port: 0 },
      });
      try {
        await dev.listen();
        const devAddr = dev.httpServer!.address();
        if (!devAddr || typeof devAddr === "string") throw new Error("dev server: no address");
        await page.goto(`http://127.0.0.1:${devAddr.port}/howto.html`);
        await page.click("#boot");
        await page.waitForFunction(
          () => /DOS is up/.test(document.getElementById("log")?.textContent ?? ""),
          undefined,
          { timeout: 120_000 },
        );
        expect(await page.textContent("#log")).toMatch(
          /3\.6 DOS directory C:\\LINUX on a FAT16 partition: 50,331,648 bytes/,
        );
        await page.click("#cancel");
        await page.waitForSelector('#verdict[data-ok="false"]', { timeout: 10_000 });
        expect(await page.textContent("#verdict")).toMatch(
          /^E_ABORTED: .*aborted by the caller's signal \(Cancel pressed\)/,
        );
        expect(errors).toEqual([]);
      } finally {
        await dev.close();
      }
      console.log(
        `examples/web: the dev server's howto.html fetched, built, booted to DOS and was cancelled in ${Date.now() - t2} ms`,
      );
    } finally {
      await browser.close();
      await new Promise<void>((r) => server.httpServer.close(() => r()));
    }
  }, 300_000);

  it("examples/fat-floppy.mjs refuses a file whose name is not a DOS name, naming it", () => {
    const dir = join(app, "badnames");
    execFileSync("mkdir", ["-p", dir]);
    writeFileSync(join(dir, "too-long-name.txt"), "x");
    const r = run("node", ["fat-floppy.mjs", dir, join(app, "bad.img")], app, 60_000);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/E_DOS_NAME|DOS name "too-long-name.txt"/);
    expect(existsSync(join(app, "bad.img"))).toBe(false);
  }, 90_000);

  it("examples/ext2-direct-boot.mjs: the root passes e2fsck -fn and boots directly as the initrd", () => {
    copyFileSync(join(app, "node_modules/looproot/examples/ext2-direct-boot.mjs"), join(app, "ext2-direct-boot.mjs"));
    const r = run("node", ["ext2-direct-boot.mjs"], app, 300_000);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/VFS: Mounted root \(ext2 filesystem\)/);
    expect(r.out).toMatch(/ROOT: \/ is \/dev\/root \/ ext2 rw/);
    const fsck = run("e2fsck", ["-fn", join(app, "root.ext2")], app, 30_000);
    expect(fsck.status, fsck.out).toBe(0);
  }, 360_000);

  it("examples/howto.mjs: the whole HOWTO builds, boots and verifies", () => {
    copyFileSync(join(app, "node_modules/looproot/examples/howto.mjs"), join(app, "howto.mjs"));
    const r = run("node", ["howto.mjs", "out"], app, 420_000);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/loop root verified: \/ on 7:0 \(\/dev\/loop0\), swap on \/dev\/loop1/);
    expect(readdirSync(join(app, "out"))).toEqual(expect.arrayContaining(["floppy.img", "disk.img", "linuxdsk.img"]));
    const fsck = run("fsck.fat", ["-n", join(app, "out", "floppy.img")], app, 30_000);
    expect(fsck.status, fsck.out).toBe(0);
  }, 480_000);
});
