// The app's pure parts, in Node: the image paths agree with the CLI's, the URL/JSON sharing
// round-trips, the serial terminal, the applet lists, the field table covers the config.

import { describe, it, expect } from "vitest";
import { INGREDIENT_FILES } from "../../src/node/ingredients.ts";
import { APP_INGREDIENT_FILES, APP_IMAGE_FILES } from "../../src/app/assets.ts";
import {
  configToHash,
  configFromHash,
  configToJson,
  configFromJson,
  diffConfig,
  getPath,
  setPath,
  readLink,
  parsePartialJson,
  readConfigFile,
} from "../../src/app/share.ts";
import { buildInfoFile } from "../../src/cli/buildinfo.ts";
import { SET_MANIFEST } from "../../src/cli/outputs.ts";
import { TextTerminal } from "../../src/app/term.ts";
import { appletList, dosFromFloppy } from "../../src/app/ingredients.ts";
import { SECTIONS, ALL_FIELDS, fieldName, inWords, introFor } from "../../src/app/fields.ts";
import { defaultConfig, mergeConfig, HOWTO_DIFFERENCES } from "../../src/config.ts";
import { validateConfig } from "../../src/validate.ts";
import { makeFat, ATTR_SYSTEM } from "../../src/fs/fat/index.ts";

describe("image paths", () => {
  it("are the CLI's ingredient files plus SeaBIOS", () => {
    expect(APP_INGREDIENT_FILES).toEqual(INGREDIENT_FILES);
    expect(APP_IMAGE_FILES).toContain("debian/bios.bin");
    expect(APP_IMAGE_FILES).toContain("debian/vgabios-stdvga.bin");
    expect(APP_IMAGE_FILES.every((p) => !p.includes("..") && !p.startsWith("/"))).toBe(true);
  });
});

describe("sharing", () => {
  it("the defaults give an empty hash; a change round-trips through the URL", () => {
    expect(configToHash(defaultConfig())).toBe("");
    const c = mergeConfig(defaultConfig(), {
      swap: { sizeMiB: 16 },
      dos: { device: "/dev/sdb2", openPermissions: true },
      root: { hostname: "ünïcode-is-refused-but-carried" },
    });
    const hash = configToHash(c);
    // One parameter per changed setting, in the settings table's order, after their count.
    expect(hash).toBe(
      "#dos.device=%2Fdev%2Fsdb2&dos.openPermissions=true&root.hostname=%C3%BCn%C3%AFcode-is-refused-but-carried&swap.sizeMiB=16&settings=4",
    );
    expect(configFromHash(hash)).toEqual(c);
    expect(configFromHash(hash + "&autostart")).toEqual(c);
    expect(() => configFromHash(hash.slice(0, -3))).toThrow(/cut short/);
    expect(configFromHash("#other=1")).toBeUndefined();
    expect(() => configFromHash("#config=" + btoa('{"swap":{"size":1}}'))).toThrow(/swap\.size/);
  });
  it("JSON round-trips and names unknown or mistyped fields", () => {
    const c = mergeConfig(defaultConfig(), { initrd: { sizeKiB: 2048 } });
    expect(configFromJson(configToJson(c))).toEqual(c);
    expect(configFromJson('{"machine":{"memoryMiB":128}}').machine.memoryMiB).toBe(128);
    expect(() => configFromJson('{"machine":{"memoryMiB":"128"}}')).toThrow(/machine\.memoryMiB/);
    expect(() => configFromJson("{")).toThrow(/config JSON/);
  });
  it("diff, get and set by path", () => {
    const c = setPath(defaultConfig(), "swap.sizeMiB", 9);
    expect(getPath(c, "swap.sizeMiB")).toBe(9);
    expect(getPath(defaultConfig(), "swap.sizeMiB")).toBe(8);
    expect(diffConfig(c, defaultConfig())).toEqual({ swap: { sizeMiB: 9 } });
  });
});

describe("a link of one parameter per setting, damaged, keeps every good setting whole and names each dropped one", () => {
  const want = mergeConfig(defaultConfig(), {
    swap: { sizeMiB: 1234 },
    root: { hostname: "shared", sizeMiB: 400, label: "a b&c=d" },
    dos: { openPermissions: true },
    boot: { extraArgs: "console=ttyS0 quiet" },
  });
  const full = configToHash(want);

  it("an intact link: everything kept, nothing dropped, whatever page flags come with it", () => {
    for (const h of [full, full + "&autostart", "#autostart&" + full.slice(1), full.replace("&", "&&")]) {
      const r = readLink(h)!;
      expect(r.config).toEqual(want);
      expect(r.dropped).toEqual([]);
      expect(r.truncated).toBe(false);
      expect(r.kept.sort()).toEqual([
        "boot.extraArgs",
        "dos.openPermissions",
        "root.hostname",
        "root.label",
        "root.sizeMiB",
        "swap.sizeMiB",
      ]);
    }
  });
  it("cut at every length: a setting is kept whole or not at all, and it says it was cut", () => {
    for (let n = 1; n < full.length; n++) {
      const r = readLink(full.slice(0, n));
      if (!r) continue; // cut inside the first setting's name: no setting named at all
      expect(r.truncated, `cut at ${n}`).toBe(true);
      for (const path of ALL_FIELDS.map((f) => f.path)) {
        const got = getPath(r.config, path);
        if (r.kept.includes(path)) expect(got, `${path} cut at ${n}`).toEqual(getPath(want, path));
        else expect(got, `${path} cut at ${n}`).toEqual(getPath(defaultConfig(), path));
      }
    }
  });
  it("cut in its closing count: every setting kept, and it says it was cut", () => {
    const r = readLink(full.slice(0, full.lastIndexOf("&") + 5))!;
    expect(r).toEqual({ config: want, kept: expect.any(Array), dropped: [], truncated: true });
  });
  it("a wrong type, an unknown key or bad escapes drop that setting only, with the reason", () => {
    const r = readLink(
      "#swap.sizeMiB=12.5&swap.label=sw&root.colour=red&boot.readOnly=yes&root.hostname=%E0%A4%A&settings=5",
    )!;
    expect(r.config.swap.label).toBe("sw");
    expect(r.config.swap.sizeMiB).toBe(8);
    expect(r.truncated).toBe(false);
    expect(r.dropped).toEqual([
      { field: "swap.sizeMiB", why: 'must be a whole number written in decimal digits 0-9 (at most 15), got "12.5"' },
      { field: "root.colour", why: "is not a known setting" },
      { field: "boot.readOnly", why: 'must be true or false, got "yes"' },
      { field: "root.hostname", why: "is not URL-encoded text" },
    ]);
  });
});

describe("a link of today's earlier form (#config=<base64url JSON>) still works, damaged or not", () => {
  const b64 = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const want = mergeConfig(defaultConfig(), {
    swap: { sizeMiB: 12 },
    root: { hostname: "shared", sizeMiB: 40 },
    dos: { openPermissions: true },
  });
  // What configToHash wrote before links had one parameter per setting.
  const full = "#config=" + b64(JSON.stringify(diffConfig(want, defaultConfig())));

  it("a link made by the earlier code", () => {
    // Made by that code's configToHash (commit 62db46c) from these settings.
    const made =
      "#config=eyJpbml0cmQiOnsiYmxvY2tTaXplIjoyMDQ4fSwicm9vdCI6eyJsYWJlbCI6Im15IHJvb3QifSwic3dhcCI6eyJzaXplTWlCIjoxNn0sImZsb3BweSI6eyJraW5kIjoiMi44OE0ifSwiYm9vdCI6eyJyZWFkT25seSI6ZmFsc2UsImV4dHJhQXJncyI6ImNvbnNvbGU9dHR5UzAgYT1iJmMifX0";
    const c = mergeConfig(defaultConfig(), {
      initrd: { blockSize: 2048 },
      root: { label: "my root" },
      swap: { sizeMiB: 16 },
      floppy: { kind: "2.88M" },
      boot: { readOnly: false, extraArgs: "console=ttyS0 a=b&c" },
    });
    expect(configFromHash(made)).toEqual(c);
    expect(readLink(made + "&autostart")).toEqual({
      config: c,
      kept: ["initrd.blockSize", "root.label", "swap.sizeMiB", "floppy.kind", "boot.readOnly", "boot.extraArgs"],
      dropped: [],
      truncated: false,
    });
  });

  it("an intact link: everything kept, nothing dropped", () => {
    const r = readLink(full)!;
    expect(r.config).toEqual(want);
    expect(r.dropped).toEqual([]);
    expect(r.truncated).toBe(false);
    expect(r.kept.sort()).toEqual(["dos.openPermissions", "root.hostname", "root.sizeMiB", "swap.sizeMiB"]);
    expect(readLink("#other=1")).toBeUndefined();
  });
  it("cut at every length: what was complete is kept, nothing else changes, and it says it was cut", () => {
    const json = JSON.stringify(diffConfig(want, defaultConfig()));
    for (let n = 1; n < full.length - "#config=".length; n++) {
      const r = readLink(full.slice(0, "#config=".length + n))!;
      expect(r.truncated || r.dropped.length > 0, `cut at ${n}`).toBe(true);
      // Every setting kept has the link's value; every other one is the default.
      for (const path of ALL_FIELDS.map((f) => f.path)) {
        const got = getPath(r.config, path);
        if (r.kept.includes(path)) expect(got, `${path} cut at ${n}`).toEqual(getPath(want, path));
        else expect(got, `${path} cut at ${n}`).toEqual(getPath(defaultConfig(), path));
      }
    }
    // Cut just after the first complete setting: that one survives.
    const cut = json.indexOf(",");
    const r = readLink("#config=" + b64(json.slice(0, cut)))!;
    expect(r.truncated).toBe(true);
    expect(r.kept.length).toBe(1);
  });
  it("a wrong type or an unknown key drops that setting only, with the reason", () => {
    const r = readLink(
      "#config=" +
        b64(
          JSON.stringify({ swap: { sizeMiB: "12", label: "sw" }, root: { hostname: "ok", colour: "red" }, floppy: 3 }),
        ),
    )!;
    expect(r.config.root.hostname).toBe("ok");
    expect(r.config.swap.label).toBe("sw");
    expect(r.config.swap.sizeMiB).toBe(8);
    expect(r.dropped).toEqual([
      { field: "swap.sizeMiB", why: "must be a number, got string" },
      { field: "root.colour", why: "is not a known setting" },
      { field: "floppy", why: "must be an object" },
    ]);
  });
  it("garbage is refused as a whole, never a foreign exception", () => {
    for (const h of [
      "#config=%%%",
      "#config=" + b64("[1,2]"),
      "#config=" + b64("{]"),
      "#config=" + b64("x".repeat(100)),
      "#config=" + "A".repeat(70_000),
      "#config=" + b64("[".repeat(100)),
    ]) {
      const r = readLink(h)!;
      expect(r.kept, h.slice(0, 40)).toEqual([]);
      expect(r.config).toEqual(defaultConfig());
      expect(r.dropped.length + (r.truncated ? 1 : 0)).toBeGreaterThan(0);
    }
  });
  it("the partial JSON reader", () => {
    expect(parsePartialJson('{"a":{"b":1,"c":"x')).toEqual({ value: { a: { b: 1 } }, truncated: true });
    expect(parsePartialJson('{"a":12')).toEqual({ value: {}, truncated: true });
    expect(parsePartialJson('{"a":tr')).toEqual({ value: {}, truncated: true });
    expect(parsePartialJson('{"a":true,"b":[1,2]}')).toEqual({ value: { a: true, b: [1, 2] }, truncated: false });
    expect(() => parsePartialJson('{"a":1}x')).toThrow(SyntaxError);
  });
});

describe("Load JSON", () => {
  it("reads every JSON looproot writes: the page's and `looproot config`'s settings, the CLI's looproot-config.json and looproot-set.json", () => {
    const c = mergeConfig(defaultConfig(), { swap: { sizeMiB: 12 }, root: { hostname: "fromcli" } });
    expect(readConfigFile(configToJson(c)).config).toEqual(c);
    // The CLI's build info, as buildInfoFile writes it (the summary is only read by people).
    const fakeResult = {
      floppy: new Uint8Array(10),
      disk: new Uint8Array(20),
      root: new Uint8Array(5),
      swap: new Uint8Array(6),
      rootTree: [1, 2],
      texts: { autoexecBat: "x\r\n" },
    };
    const info = new TextDecoder().decode(buildInfoFile(c, fakeResult as never).data);
    const r = readConfigFile(info);
    expect(r.config).toEqual(c);
    expect(r.kind).toContain("looproot-config.json");
    expect(r.dropped).toEqual([]);
    // The output set's manifest (src/cli/outputs.ts's shape).
    const set = readConfigFile(
      JSON.stringify({ format: 1, tool: "looproot", files: [{ name: "disk.img", bytes: 1, sha256: "00" }], config: c }),
    );
    expect(set.config).toEqual(c);
    expect(set.kind).toContain(SET_MANIFEST);
  });

  it("names every bad setting, keeps the good ones, and refuses what is not settings", () => {
    const r = readConfigFile(
      JSON.stringify({ swap: { sizeMB: 3 }, root: { hostname: "ok", sizeMiB: "big" }, disk: { colour: 1 } }),
    );
    expect(r.dropped.map((d) => d.field)).toEqual(["swap.sizeMB", "root.sizeMiB", "disk.colour"]);
    expect(r.kept).toEqual(["root.hostname"]);
    expect(r.config.root.hostname).toBe("ok");
    expect(() => readConfigFile("[1]")).toThrow(/not a set of settings/);
    expect(() => readConfigFile("{")).toThrow(/not JSON/);
  });
});

describe("the sections' intros", () => {
  it("name the chosen directory and files, not the HOWTO's", () => {
    const c = mergeConfig(defaultConfig(), { dos: { directory: "LR", rootFile: "ROOT.IMG", swapFile: "SWAP.IMG" } });
    const text = SECTIONS.map((s) => introFor(s, c)).join("\n");
    expect(text).toContain("C:\\LR on the hard disk");
    expect(text).toContain("ROOT.IMG: the ext2 filesystem");
    expect(text).toContain("SWAP.IMG: an empty file");
    expect(text).not.toMatch(/LINUX(DSK|SWP)\.IMG|C:\\LINUX/);
  });
});

describe("problems in the form's words", () => {
  it("names fields by their labels, with the section where a label repeats", () => {
    expect(fieldName("disk.sizeMiB")).toBe("Hard disk size");
    expect(fieldName("root.sizeMiB")).toBe("Size of the root device");
    expect(fieldName("swap.sizeMiB")).toBe("Size of the swap device");
    expect(inWords("shorten it or turn on boot.paramsFile (LOADLIN's @params file)")).toBe(
      "shorten it or turn on “Put the options in a LOADLIN @params file” (LOADLIN's @params file)",
    );
    // The user's own text in quotes, and the word "name", stay as they are (issue 25).
    expect(
      inWords('DOS name "MY LINUX DIR": more than 8 characters for an 8.3 name; root.hostname "bad host name!"'),
    ).toBe('DOS name "MY LINUX DIR": more than 8 characters for an 8.3 name; “Host name” "bad host name!"');
    for (const c of [
      { root: { sizeMiB: 2000 } },
      { root: { dosLink: true, initrdDir: false } },
      { dos: { swapFile: "LINUXDSK.IMG" } },
    ]) {
      for (const p of validateConfig(mergeConfig(defaultConfig(), c)))
        expect(inWords(p.message)).not.toMatch(/\b(root|dos|boot|swap|disk)\.[a-zA-Z]+\b/);
    }
  });
});

describe("the field table", () => {
  it("covers every setting of the config exactly once", () => {
    const paths: string[] = [];
    const walk = (o: unknown, p: string) => {
      if (typeof o === "object" && o !== null) for (const [k, v] of Object.entries(o)) walk(v, p ? `${p}.${k}` : k);
      else paths.push(p);
    };
    walk(defaultConfig(), "");
    expect(ALL_FIELDS.map((f) => f.path).sort()).toEqual(paths.sort());
    expect(new Set(ALL_FIELDS.map((f) => f.path)).size).toBe(ALL_FIELDS.length);
    expect(SECTIONS.map((s) => s.section)).toEqual(["3.3", "3.4", "3.5", "3.6", "3.7", "PC"]);
  });
  it("every field has the HOWTO's line, select options include the default, and every problem has a field", () => {
    const d = defaultConfig();
    for (const f of ALL_FIELDS) {
      expect(f.howto.length).toBeGreaterThan(10);
      if (f.options) expect(f.options.map((o) => o.value)).toContain(getPath(d, f.path));
    }
    // Every HOWTO difference is shown: on a field or as a section note.
    const shown = new Set([...ALL_FIELDS.map((f) => f.path), ...SECTIONS.flatMap((s) => s.notes ?? [])]);
    for (const diff of HOWTO_DIFFERENCES) expect(shown.has(diff.field)).toBe(true);
    const bad = mergeConfig(d, {
      initrd: { sizeKiB: 3, reservedPercent: 80 },
      dos: { device: "/dev/hda1", directory: "A:B" },
      swap: { sizeMiB: 0, label: "x".repeat(40) },
      disk: { sizeMiB: 1, label: "lower" },
      floppy: { label: "toolongforalabel" },
      boot: { kernelPath: "zImage", root: "loop0", extraArgs: "x".repeat(200) },
      machine: { memoryMiB: 1 },
      root: { hostname: "-", label: "y".repeat(20) },
    });
    for (const p of validateConfig(bad)) expect(shown.has(p.field), p.field).toBe(true);
  });
});

describe("the serial terminal", () => {
  it("handles CR LF, backspace, erase-line and colour codes", () => {
    const t = new TextTerminal();
    t.write("Linux version 6.1\r\nlooproot:~# ");
    t.write("lsx\b \b\r\n");
    t.write("\x1b[1;34mbin\x1b[0m  etc\r\n");
    t.write("progress 10%\rprogress 100%\r\n");
    t.write("abc\x1b[2D\x1b[K\r\n");
    expect(t.text()).toBe("Linux version 6.1\nlooproot:~# ls\nbin  etc\nprogress 100%\na\n");
  });
  it("hands out completed lines once, for a view that appends", () => {
    const t = new TextTerminal();
    t.write("one\ntw");
    expect(t.drain()).toEqual({ reset: false, complete: "one\n", current: "tw" });
    t.write("o\nthree\n");
    expect(t.drain()).toEqual({ reset: false, complete: "two\nthree\n", current: "" });
    expect(t.drain()).toEqual({ reset: false, complete: "", current: "" });
    t.write("x\x1b[2Jy");
    expect(t.drain()).toEqual({ reset: true, complete: "", current: "y" });
  });
  it("keeps a bounded number of lines", () => {
    const t = new TextTerminal(10);
    for (let i = 0; i < 50; i++) t.write(`line ${i}\n`);
    const lines = t.text().split("\n");
    expect(lines.length).toBe(10);
    expect(lines[8]).toBe("line 49");
  });
});

describe("ingredients in the page", () => {
  it("reads applet lists with or without the leading slash", () => {
    const enc = new TextEncoder();
    expect(appletList(enc.encode("bin/ash\nusr/bin/[\n/sbin/init\n\n# comment\nlosetup\n"))).toEqual([
      "/bin/ash",
      "/usr/bin/[",
      "/sbin/init",
      "/bin/losetup",
    ]);
  });
  it("takes the user's DOS from a system floppy and refuses a data floppy", () => {
    const boot = new Uint8Array(512);
    boot.set([0xeb, 0x3c, 0x90]);
    boot[510] = 0x55;
    boot[511] = 0xaa;
    const img = makeFat({ floppy: "1.44M", serial: 7, time: 315532800, bootSector: boot }, [
      { path: "IO.SYS", data: new Uint8Array(100), attributes: ATTR_SYSTEM },
      { path: "MSDOS.SYS", data: new Uint8Array(50), attributes: ATTR_SYSTEM },
      { path: "COMMAND.COM", data: new Uint8Array(70) },
    ]);
    const dos = dosFromFloppy(img);
    expect(dos.files.map((f) => f.name)).toEqual(["IO.SYS", "MSDOS.SYS", "COMMAND.COM"]);
    expect(dos.files[0].attributes & ATTR_SYSTEM).toBeTruthy();
    expect(dos.name).toContain("IO.SYS");
    const data = makeFat({ floppy: "1.44M", serial: 8, time: 315532800 }, [{ path: "A.TXT", data: new Uint8Array(3) }]);
    expect(() => dosFromFloppy(data)).toThrow(/^DOS floppy: /);
    expect(() => dosFromFloppy(new Uint8Array(100))).toThrow(/^DOS floppy: /);
  });
});
