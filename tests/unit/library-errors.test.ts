// One error type out of the library (issue 26): every exported function of `looproot` and
// `looproot/fs`, called with wrong arguments, throws a LooprootError with a code, the field it is
// about, the limit where there is one, and E_TYPE (not E_LIMIT) for a value of the wrong type.
// A new export without a case here fails the first test.
import { describe, it, expect } from "vitest";
import * as fs from "../../src/fs/index.ts";
import * as root from "../../src/index.ts";
import * as emu from "../../emulator/index.ts";
import * as emuNode from "../../emulator/node.ts";

const { LooprootError, ErrorCode } = root;
type Want = { code: string; field: string | RegExp; limit?: number | string };
type Case = [what: string, call: () => unknown, want: Want];
const bad = (v: unknown) => v as never;
const dir = (path: string) => ({ path, kind: "dir" as const, mode: 0o755, uid: 0, gid: 0, mtime: 0 });
const noSig = new Uint8Array(512);

const FS: Record<string, Case[]> = {
  makeFatFloppy: [
    ["no options", () => fs.makeFatFloppy(bad(undefined)), { code: "E_TYPE", field: "opts" }],
    ["files not an array", () => fs.makeFatFloppy({ files: bad("A.TXT") }), { code: "E_TYPE", field: "files" }],
    [
      "data not bytes",
      () => fs.makeFatFloppy({ files: [{ path: "A.TXT", data: bad("x") }] }),
      { code: "E_TYPE", field: "files[0].data" },
    ],
    [
      "long name",
      () => fs.makeFatFloppy({ files: [{ path: "LONGFILENAME.TXT", data: new Uint8Array(1) }] }),
      { code: "E_DOS_NAME", field: "files[0].path" },
    ],
    [
      "unknown floppy",
      () => fs.makeFatFloppy({ files: [], floppy: bad("3M") }),
      { code: "E_LIMIT", field: "floppy", limit: "360K, 720K, 1.2M, 1.44M, 2.88M" },
    ],
    [
      "floppy full",
      () => fs.makeFatFloppy({ files: [{ path: "A.BIN", data: new Uint8Array(2_000_000) }] }),
      { code: "E_LIMIT", field: "floppy", limit: 1_457_664 },
    ],
    [
      "label too long",
      () => fs.makeFatFloppy({ files: [], label: "TWELVE_CHARS" }),
      { code: "E_LIMIT", field: "label", limit: 11 },
    ],
    ["time a string", () => fs.makeFatFloppy({ files: [], time: bad("1998") }), { code: "E_TYPE", field: "time" }],
    [
      "boot sector size",
      () => fs.makeFatFloppy({ files: [], system: { name: "X", bootSector: new Uint8Array(100), files: [] } }),
      { code: "E_LIMIT", field: "system.bootSector", limit: 512 },
    ],
    [
      "boot sector signature",
      () => fs.makeFatFloppy({ files: [], system: { name: "X", bootSector: noSig, files: [] } }),
      { code: "E_LIMIT", field: "system.bootSector", limit: "55 AA" },
    ],
  ],
  makeFatDisk: [
    ["no options", () => fs.makeFatDisk(bad(null)), { code: "E_TYPE", field: "opts" }],
    [
      "too small",
      () => fs.makeFatDisk({ sizeBytes: 512, files: [] }),
      { code: "E_LIMIT", field: "sizeBytes", limit: `${fs.DISK_LIMITS.minBytes}..${fs.DISK_LIMITS.maxBytes}` },
    ],
    [
      "boot sector signature",
      () => fs.makeFatDisk({ sizeBytes: 4 << 20, files: [], bootSector: noSig }),
      { code: "E_LIMIT", field: "bootSector", limit: "55 AA" },
    ],
    [
      "disk full",
      () => fs.makeFatDisk({ sizeBytes: 4 << 20, files: [{ path: "BIG.BIN", data: new Uint8Array(5 << 20) }] }),
      { code: "E_LIMIT", field: "sizeBytes" },
    ],
    [
      "dirs not an array",
      () => fs.makeFatDisk({ sizeBytes: 4 << 20, files: [], dirs: bad("GAMES") }),
      { code: "E_TYPE", field: "dirs" },
    ],
  ],
  makeExt2: [
    ["neither tree nor tar", () => fs.makeExt2(bad({})), { code: "E_TYPE", field: "tree" }],
    [
      "both tree and tar",
      () => fs.makeExt2(bad({ tree: [], tar: new Uint8Array(1024) })),
      { code: "E_TYPE", field: "tar" },
    ],
    [
      "block size",
      () => fs.makeExt2({ tree: [], blockSize: bad(3000) }),
      { code: "E_LIMIT", field: "blockSize", limit: "1024, 2048, 4096" },
    ],
    [
      "bytes per inode",
      () => fs.makeExt2({ tree: [], bytesPerInode: 10 }),
      { code: "E_LIMIT", field: "bytesPerInode", limit: "1024..67108864" },
    ],
    [
      "label too long",
      () => fs.makeExt2({ tree: [], label: "x".repeat(17) }),
      { code: "E_LIMIT", field: "label", limit: 16 },
    ],
    ["label a number", () => fs.makeExt2({ tree: [], label: bad(7) }), { code: "E_TYPE", field: "label" }],
    ["tree without a parent", () => fs.makeExt2({ tree: [dir("/a/b")] }), { code: "E_TREE", field: "tree" }],
    ["tar not bytes", () => fs.makeExt2({ tar: bad("x") }), { code: "E_TYPE", field: "tar" }],
    ["size too small", () => fs.makeExt2({ tree: [], sizeBytes: 4096 }), { code: "E_LIMIT", field: /sizeBytes/ }],
  ],
  makeSwap: [
    ["no options", () => fs.makeSwap(bad(undefined)), { code: "E_TYPE", field: "opts" }],
    ["too small", () => fs.makeSwap({ sizeBytes: 4096 }), { code: "E_LIMIT", field: "sizeBytes" }],
    [
      "label too long",
      () => fs.makeSwap({ sizeBytes: 1 << 20, label: "x".repeat(16) }),
      { code: "E_LIMIT", field: "label", limit: fs.SWAP_LIMITS.labelBytes },
    ],
    ["uuid not bytes", () => fs.makeSwap({ sizeBytes: 1 << 20, uuid: bad([1, 2]) }), { code: "E_TYPE", field: "uuid" }],
  ],
  treeFromFiles: [
    ["not an array", () => fs.treeFromFiles(bad("etc/motd")), { code: "E_TYPE", field: "files" }],
    ["path a number", () => fs.treeFromFiles([{ path: bad(5) }]), { code: "E_TYPE", field: "files[0].path" }],
    [
      "path leaves the root",
      () => fs.treeFromFiles([{ path: "/../../x" }]),
      { code: "E_TREE", field: "files[0].path" },
    ],
  ],
  writeTar: [
    ["not an array", () => fs.writeTar(bad("x")), { code: "E_TYPE", field: "tree" }],
    [
      "relative path",
      () => fs.writeTar([bad({ path: "rel", kind: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 0 })]),
      { code: "E_TREE", field: "tree" },
    ],
  ],
  readTar: [
    ["not bytes", () => fs.readTar(bad("x")), { code: "E_TYPE", field: "tar" }],
    ["not a tar", () => fs.readTar(new Uint8Array(1024).fill(7)), { code: "E_TAR", field: "tar" }],
    [
      "limits wrong",
      () => fs.readTar(new Uint8Array(1024), bad({ maxTotalBytes: -1, maxEntries: 1 })),
      { code: "E_LIMIT", field: "limits.maxTotalBytes" },
    ],
  ],
  readFat: [
    ["not bytes", () => fs.readFat(bad([])), { code: "E_TYPE", field: "image" }],
    ["too short", () => fs.readFat(new Uint8Array(10)), { code: "E_IMAGE", field: "image" }],
    ["negative offset", () => fs.readFat(new Uint8Array(1024), -5), { code: "E_LIMIT", field: "offset" }],
  ],
  readFatDisk: [["no MBR", () => fs.readFatDisk(new Uint8Array(512)), { code: "E_IMAGE", field: "image" }]],
  readMbr: [
    ["no MBR", () => fs.readMbr(new Uint8Array(512)), { code: "E_IMAGE", field: "image" }],
    ["not bytes", () => fs.readMbr(bad(undefined)), { code: "E_TYPE", field: "image" }],
  ],
  readExt2: [
    ["too short", () => fs.readExt2(new Uint8Array(10)), { code: "E_IMAGE", field: "superblock", limit: 2048 }],
    [
      "offset a string",
      () => fs.readExt2(new Uint8Array(4096), { offset: bad("0") }),
      { code: "E_TYPE", field: "opts.offset" },
    ],
  ],
  inspectImage: [
    ["not bytes", () => fs.inspectImage(bad("disk.img")), { code: "E_TYPE", field: "image" }],
    ["nothing it knows", () => fs.inspectImage(new Uint8Array(4096)), { code: "E_IMAGE", field: "image" }],
  ],
  editFat: [
    ["not bytes", () => fs.editFat(bad("floppy.img"), { put: [] }), { code: "E_TYPE", field: "image" }],
    ["no changes", () => fs.editFat(new Uint8Array(512), bad(undefined)), { code: "E_TYPE", field: "changes" }],
    [
      "not a FAT volume",
      () => fs.editFat(new Uint8Array(512), { remove: ["A.TXT"] }),
      { code: "E_IMAGE", field: "image" },
    ],
  ],
  editFatDisk: [
    ["no MBR", () => fs.editFatDisk(new Uint8Array(512), { put: [] }), { code: "E_IMAGE", field: "image" }],
    [
      "put not an array",
      () => fs.editFatDisk(fs.makeFatDisk({ sizeBytes: 4 << 20, files: [] }), { put: bad("A.TXT") }),
      { code: "E_TYPE", field: "put" },
    ],
  ],
  readSwap: [["no signature", () => fs.readSwap(new Uint8Array(4096)), { code: "E_IMAGE", field: "image" }]],
  gzip: [["not bytes", () => fs.gzip(bad("text")), { code: "E_TYPE", field: "data" }]],
  gunzip: [
    ["negative limit", () => fs.gunzip(new Uint8Array(20), -1), { code: "E_LIMIT", field: "maxBytes" }],
    ["not gzip", () => fs.gunzip(new Uint8Array(10), 10), { code: "E_GZIP", field: "data" }],
  ],
  checkDosPath: [
    ["too long", () => fs.checkDosPath("TOOLONGNAME.TXT"), { code: "E_DOS_NAME", field: "path" }],
    ["a number", () => fs.checkDosPath(bad(5)), { code: "E_TYPE", field: "path" }],
  ],
  extractSystem: [
    ["not a FAT floppy", () => fs.extractSystem(new Uint8Array(1_474_560)), { code: "E_IMAGE", field: "floppy" }],
    ["name a number", () => fs.extractSystem(new Uint8Array(512), bad(1)), { code: "E_TYPE", field: "name" }],
  ],
};

const ROOT: Record<string, Case[]> = {
  makeConfig: [
    [
      "a field out of range",
      () => root.makeConfig({ root: { sizeMiB: -1 } }),
      { code: "E_CONFIG", field: "root.sizeMiB", limit: "1..2000" },
    ],
    ["not an object", () => root.makeConfig(bad("x")), { code: "E_CONFIG", field: "config" }],
  ],
  validateConfig: [["nothing", () => root.validateConfig(bad(undefined)), { code: "E_TYPE", field: "config" }]],
  buildHowto: [
    ["nothing", () => root.buildHowto(bad(undefined)), { code: "E_TYPE", field: "input" }],
    ["no ingredients", () => root.buildHowto(bad({})), { code: "E_TYPE", field: "ingredients" }],
    [
      "signal not an AbortSignal",
      () => root.buildHowto({ ingredients: bad({}), signal: bad(true) }),
      { code: "E_TYPE", field: "signal" },
    ],
    // Checked after the config, before any step: the ingredients are never looked at.
    [
      "signal aborted already",
      () => root.buildHowto({ ingredients: bad({}), signal: AbortSignal.abort() }),
      { code: "E_ABORTED", field: "signal" },
    ],
  ],
  outputNames: [["nothing", () => root.outputNames(bad(undefined)), { code: "E_TYPE", field: "config" }]],
  ingredientsFrom: [
    ["not a function", () => root.ingredientsFrom(bad("images/")), { code: "E_TYPE", field: "get" }],
    [
      "gives a string",
      () => root.ingredientsFrom(async () => bad("bytes")),
      { code: "E_TYPE", field: /^get\("kernel\/bzImage"\)$/ },
    ],
  ],
};

const fda = new Uint8Array(1_474_560);
const images = { floppy: fda, disk: new Uint8Array(512) };
const firmware = { bios: new Uint8Array(1), vgaBios: new Uint8Array(1), wasmPath: "/v86.wasm" };
// Each refused before a machine starts (none of these boots anything).
const EMULATOR: Record<string, Case[]> = {
  startMachine: [
    ["no firmware", () => emu.startMachine(bad({ fda })), { code: "E_TYPE", field: "bios" }],
    ["no wasm", () => emu.startMachine(bad({ fda, bios: fda, vgaBios: fda })), { code: "E_TYPE", field: "wasm" }],
    ["nothing to boot", () => emu.startMachine(bad({ ...firmware })), { code: "E_LIMIT", field: "fda" }],
    [
      "memory out of range",
      () => emu.startMachine({ fda, ...firmware, memoryMB: 4096 }),
      { code: "E_LIMIT", field: "memoryMB", limit: "4..2048" },
    ],
  ],
  bootAndWait: [
    ["no firmware", () => emu.bootAndWait(bad({ fda, pattern: "x" })), { code: "E_TYPE", field: "bios" }],
    [
      "time limit zero",
      () => emu.bootAndWait({ fda, ...firmware, pattern: "x", timeoutMs: 0 }),
      { code: "E_LIMIT", field: "timeoutMs" },
    ],
    [
      "signal not a signal",
      () => emu.bootAndWait({ fda, ...firmware, pattern: "x", signal: bad("stop") }),
      { code: "E_TYPE", field: "signal" },
    ],
  ],
  bootHowto: [
    ["no options", () => emu.bootHowto(images, {}, bad(undefined)), { code: "E_TYPE", field: "opts" }],
    ["no firmware", () => emu.bootHowto(images, {}, bad({})), { code: "E_TYPE", field: "bios" }],
    ["no build", () => emu.bootHowto(bad(null), {}, firmware), { code: "E_TYPE", field: "build" }],
    [
      "a config build refuses",
      () => emu.bootHowto(images, { machine: { memoryMiB: 4096 } }, firmware),
      { code: "E_CONFIG", field: "machine.memoryMiB" },
    ],
  ],
  runShellCommand: [["no machine", () => emu.runShellCommand(bad({}), "true"), { code: "E_TYPE", field: "machine" }]],
};
const EMULATOR_NODE: Record<string, Case[]> = {
  bootHowto: [
    [
      "unknown engine",
      () => emuNode.bootHowto(images, {}, { engine: bad("vmware") }),
      { code: "E_TYPE", field: "engine" },
    ],
    [
      "a running QEMU is not returned",
      () => emuNode.bootHowto(images, {}, bad({ engine: "qemu", stopAtEnd: false })),
      { code: "E_TYPE", field: "stopAtEnd" },
    ],
  ],
  startMachine: [["nothing to boot", () => emuNode.startMachine(bad({})), { code: "E_LIMIT", field: "fda" }]],
  bootAndWait: [
    [
      "no pattern's time",
      () => emuNode.bootAndWait({ fda, pattern: "x", timeoutMs: -1 }),
      { code: "E_LIMIT", field: "timeoutMs" },
    ],
  ],
  loadIngredients: [
    ["a folder without them", () => emuNode.loadIngredients("/nonexistent"), { code: "E_INGREDIENTS", field: "dir" }],
  ],
};

/** Exports that take nothing a caller can get wrong. */
const NOTHING_TO_REFUSE: Record<string, string> = {
  defaultConfig: "takes no arguments",
  asLooprootError: "turns any value into an error; never throws",
  LooprootError: "the error class itself",
  imagesDir: "takes no arguments",
  wasmPath: "takes no arguments",
  lrdos: "loadIngredients' folder check (tested there)",
  loadBios: "loadIngredients' folder check (tested there)",
  loadKernel: "loadIngredients' folder check (tested there)",
};

async function thrown(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  return "(nothing thrown)";
}

describe("every export throws LooprootError with a code and a field", () => {
  it("each function of looproot and looproot/fs has wrong calls below", () => {
    const fns = (m: object) =>
      Object.entries(m)
        .filter(([, v]) => typeof v === "function")
        .map(([k]) => k);
    expect(fns(fs).filter((n) => !FS[n] && !NOTHING_TO_REFUSE[n])).toEqual([]);
    expect(fns(root).filter((n) => !ROOT[n] && !NOTHING_TO_REFUSE[n])).toEqual([]);
    expect(fns(emu).filter((n) => !EMULATOR[n] && !NOTHING_TO_REFUSE[n])).toEqual([]);
    expect(fns(emuNode).filter((n) => !EMULATOR_NODE[n] && !EMULATOR[n] && !NOTHING_TO_REFUSE[n])).toEqual([]);
  });

  for (const [entry, table] of [
    ["looproot/fs", FS],
    ["looproot", ROOT],
    ["looproot/emulator", EMULATOR],
    ["looproot/emulator/node", EMULATOR_NODE],
  ] as const) {
    for (const [name, cases] of Object.entries(table)) {
      it.each(cases)(`${entry} ${name}: %s`, async (_what, call, want) => {
        const e = await thrown(call);
        expect(e, String(e)).toBeInstanceOf(LooprootError);
        const err = e as InstanceType<typeof LooprootError>;
        expect(Object.values(ErrorCode)).toContain(err.code);
        expect({ code: err.code, field: err.field }, err.message).toEqual({
          code: want.code,
          field: typeof want.field === "string" ? want.field : expect.stringMatching(want.field),
        });
        if (want.limit !== undefined) expect(err.limit, err.message).toEqual(want.limit);
        // The message names the field, so a user reading only the text knows where to look.
        expect(err.message).toMatch(/\S/);
      });
    }
  }
});
