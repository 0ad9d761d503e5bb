// Writes docs/API.md from the doc comments of the package's entry points, with the TypeScript
// compiler API (no typedoc: one dev dependency fewer). `--check` writes nothing: it exits 1 when an
// exported symbol has no doc comment or docs/API.md differs from what the sources give.
//
//   npx tsx scripts/api-docs.ts          # regenerate docs/API.md
//   npx tsx scripts/api-docs.ts --check  # CI

import ts from "typescript";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { rowOf } from "../src/schema.ts";

const ROOT = resolve(import.meta.dirname, "..");
export const ENTRIES = [
  {
    name: "looproot",
    file: "src/index.ts",
    what: "The whole HOWTO build. Pure: runs in Node, in a page and in a worker.",
  },
  {
    name: "looproot/fs",
    file: "src/fs/index.ts",
    what: "The image writers and readers. Pure: runs in Node, in a page and in a worker.",
  },
  {
    name: "looproot/emulator",
    file: "emulator/index.ts",
    what: "Booting images in v86 and verifying the HOWTO's boot, given the firmware. Runs in Node and in a page.",
  },
  {
    name: "looproot/emulator/node",
    file: "emulator/node.ts",
    what: "Everything of looproot/emulator, with the package's guest binaries and firmware read from disk, and QEMU or Bochs as the engine. Node only.",
  },
  {
    name: "looproot/node",
    file: "src/node/index.ts",
    what: "What needs Node's file system: a folder read into a tree, as `mke2fs -d` takes one.",
  },
];

/** The config types' members are the settings table's rows (src/settings.ts): their doc is the row's. */
const CONFIG_GROUPS: Record<string, string> = {
  LooprootConfig: "",
  PartialConfig: "",
  InitrdConfig: "initrd",
  DosConfig: "dos",
  RootConfig: "root",
  SwapConfig: "swap",
  DiskConfig: "disk",
  FloppyConfig: "floppy",
  BootConfig: "boot",
  MachineConfig: "machine",
};

function settingRow(type: string, member: string) {
  return type in CONFIG_GROUPS
    ? rowOf(CONFIG_GROUPS[type] ? `${CONFIG_GROUPS[type]}.${member.replace(/\?$/, "")}` : member.replace(/\?$/, ""))
    : undefined;
}

function settingDoc(type: string, member: string): string {
  const r = settingRow(type, member);
  if (!r) return "";
  const range = r.kind === "int" ? ` (${r.range[0]}..${r.range[1]} ${r.unit})` : "";
  const def = typeof r.default === "string" ? `"${r.default}"` : String(r.default);
  return `${r.label}${range}, default ${def}. ${r.howto}${r.where ? ` \`${r.where}\`` : ""}`;
}

/** A choice's type as its options, in the table's order (the compiler orders a union its own way). */
function settingType(type: string, member: string): string | undefined {
  const r = settingRow(type, member);
  return r?.kind === "choice" && type !== "PartialConfig"
    ? r.options.map((o) => JSON.stringify(o.value)).join(" | ")
    : undefined;
}

export interface ApiSymbol {
  entry: string;
  name: string;
  kind: string;
  doc: string;
  signature: string;
  members: { name: string; type: string; doc: string }[];
}

// The entry modules import core types as CoreX to re-export them as X: show the public name.
const clean = (s: string) => s.replace(/import\("[^"]+"\)\./g, "").replace(/\bCore([A-Z]\w*)/g, "$1");

function kindOf(decl: ts.Declaration): string {
  if (ts.isFunctionDeclaration(decl)) return "function";
  if (ts.isInterfaceDeclaration(decl)) return "interface";
  if (ts.isTypeAliasDeclaration(decl)) return "type";
  if (ts.isClassDeclaration(decl)) return "class";
  if (ts.isVariableDeclaration(decl)) return "const";
  return ts.SyntaxKind[decl.kind];
}

/** Every exported symbol of the entry points with its doc comment, signature and (for interfaces) members. */
export function collect(): ApiSymbol[] {
  const files = ENTRIES.map((e) => join(ROOT, e.file));
  const cfg = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "tsconfig.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  )!;
  const program = ts.createProgram(files, cfg.options);
  const checker = program.getTypeChecker();
  const out: ApiSymbol[] = [];
  ENTRIES.forEach((entry, i) => {
    const sf = program.getSourceFile(files[i])!;
    const mod = checker.getSymbolAtLocation(sf)!;
    for (const sym of checker.getExportsOfModule(mod)) {
      const decls = sym.getDeclarations() ?? [];
      const doc = ts.displayPartsToString(sym.getDocumentationComment(checker)).trim();
      for (const decl of decls.length ? decls : [undefined]) {
        if (!decl) continue;
        const kind = kindOf(decl);
        let signature = "";
        const members: ApiSymbol["members"] = [];
        if (kind === "function") {
          const type = checker.getTypeOfSymbolAtLocation(sym, decl);
          signature = type
            .getCallSignatures()
            .map((s) => `${sym.name}${clean(checker.signatureToString(s))}`)
            .join("\n");
        } else if (kind === "const") {
          signature = `const ${sym.name}: ${clean(checker.typeToString(checker.getTypeOfSymbolAtLocation(sym, decl), undefined, ts.TypeFormatFlags.NoTruncation))}`;
        } else if (kind === "type" || kind === "interface") {
          let type: ts.Type;
          if (kind === "type") {
            // An alias of a core type: show what it stands for, members and all.
            type = checker.getTypeAtLocation((decl as ts.TypeAliasDeclaration).type);
            const isObject =
              !!(type.flags & ts.TypeFlags.Object) &&
              !checker.isArrayType(type) &&
              type.getCallSignatures().length === 0 &&
              type.getProperties().length > 0;
            signature = isObject
              ? `type ${sym.name} = { ... }`
              : `type ${sym.name} = ${clean(checker.typeToString(type, decl, ts.TypeFormatFlags.InTypeAlias | ts.TypeFormatFlags.NoTruncation))}`;
            if (!isObject || (type.symbol && type.symbol.flags & ts.SymbolFlags.Class))
              type = undefined as unknown as ts.Type;
          } else {
            const iface = decl as ts.InterfaceDeclaration;
            const ext = iface.heritageClauses?.map((h) => h.getText()).join(" ") ?? "";
            signature = `interface ${sym.name}${ext ? " " + ext : ""}`;
            type = checker.getDeclaredTypeOfSymbol(sym);
          }
          for (const p of type?.getProperties() ?? []) {
            const pd = p.valueDeclaration ?? p.getDeclarations()?.[0];
            const optional = p.flags & ts.SymbolFlags.Optional ? "?" : "";
            members.push({
              name: p.name + optional,
              type:
                settingType(sym.name, p.name) ??
                clean(
                  checker.typeToString(
                    pd ? checker.getTypeOfSymbolAtLocation(p, pd) : checker.getTypeOfSymbol(p),
                    undefined,
                    ts.TypeFormatFlags.NoTruncation,
                  ),
                ),
              doc: ts.displayPartsToString(p.getDocumentationComment(checker)).trim() || settingDoc(sym.name, p.name),
            });
          }
        }
        // A const and a type of the same name (LooprootError) are one entry, under the value.
        const same = out.find((s) => s.entry === entry.name && s.name === sym.name);
        if (same) continue;
        out.push({ entry: entry.name, name: sym.name, kind, doc, signature, members });
      }
    }
  });
  return out;
}

/**
 * The values behind the docs' numbers, read from the modules themselves (not typed into comments):
 * each exported constant that is plain data, and what defaultConfig() returns.
 */
export async function values(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of ENTRIES) {
    const mod = (await import(join(ROOT, entry.file))) as Record<string, unknown>;
    for (const [name, v] of Object.entries(mod)) {
      const shown = name === "defaultConfig" && typeof v === "function" ? v() : v;
      if (typeof shown === "function" || shown === undefined) continue;
      out.set(`${entry.name}:${name}`, JSON.stringify(shown, null, 2));
    }
  }
  return out;
}

export function render(symbols: ApiSymbol[], vals: Map<string, string>): string {
  const lines = [
    "# looproot API",
    "",
    "Generated by `npx tsx scripts/api-docs.ts` from the doc comments of the entry points; do not edit.",
    "Every function throws `LooprootError` (see `ErrorCode`) for bad input, naming the field and the limit.",
    "",
  ];
  for (const entry of ENTRIES) {
    lines.push(`## \`${entry.name}\``, "", `${entry.what} Source: \`${entry.file}\`.`, "");
    for (const s of symbols.filter((x) => x.entry === entry.name).sort((a, b) => a.name.localeCompare(b.name))) {
      // A re-export (looproot/emulator/node re-exports looproot/emulator): a pointer, not a copy.
      const earlier = symbols.find(
        (x) =>
          x.entry !== s.entry &&
          ENTRIES.findIndex((e) => e.name === x.entry) < ENTRIES.indexOf(entry) &&
          x.name === s.name &&
          x.kind === s.kind &&
          x.doc === s.doc &&
          x.signature === s.signature &&
          JSON.stringify(x.members) === JSON.stringify(s.members),
      );
      if (earlier) {
        lines.push(`### ${s.name} (${s.kind})`, "", `As in \`${earlier.entry}\`.`, "");
        continue;
      }
      lines.push(`### ${s.name} (${s.kind})`, "", s.doc || "(undocumented)", "");
      if (s.signature) lines.push("```ts", s.signature, "```", "");
      const value = vals.get(`${s.entry}:${s.name}`);
      if (value !== undefined)
        lines.push(s.kind === "function" ? "Returns:" : "Value:", "", "```json", value, "```", "");
      if (s.members.length) {
        lines.push("| Field | Type | |", "| --- | --- | --- |");
        for (const m of s.members)
          lines.push(
            `| \`${m.name}\` | \`${m.type.replace(/\|/g, "\\|")}\` | ${m.doc.replace(/\n/g, " ").replace(/\|/g, "\\|")} |`,
          );
        lines.push("");
      }
    }
  }
  return lines.join("\n");
}

const API_MD = join(ROOT, "docs", "API.md");

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const symbols = collect();
  const md = render(symbols, await values());
  const undocumented = symbols.filter((s) => !s.doc).map((s) => `${s.entry}: ${s.name}`);
  if (process.argv.includes("--check")) {
    let bad = false;
    if (undocumented.length) {
      console.error(`exported without a doc comment:\n  ${undocumented.join("\n  ")}`);
      bad = true;
    }
    if (!existsSync(API_MD) || readFileSync(API_MD, "utf8") !== md) {
      console.error("docs/API.md is out of date: run `npx tsx scripts/api-docs.ts`");
      bad = true;
    }
    process.exitCode = bad ? 1 : 0;
  } else {
    writeFileSync(API_MD, md);
    console.log(
      `docs/API.md: ${symbols.length} symbols${undocumented.length ? `, ${undocumented.length} without a doc comment: ${undocumented.join(", ")}` : ""}`,
    );
  }
}
