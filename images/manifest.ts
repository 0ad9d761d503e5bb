// The manifest of the guest ingredients: every output of every recipe under
// images/ with its size, sha256, Debian source package, version and licence,
// and for every recipe folder a hash of the recipe that built its outputs.
//
//   npx tsx images/manifest.ts --write   (re)write images/manifest.json
//   npx tsx images/manifest.ts [--check] exit 1 naming each mismatch
//
// A recipe folder is any images/<name>/ holding a recipe.json:
//   {"recipe": ["build.sh", "src/*.asm", ...],
//    "outputs": [{"file", "description", "source_package", "version", "licence"}]}
//
// recipe_sha256 is the sha256 of the `sha256sum` listing of the recipe files,
// paths relative to the folder, sorted by byte order, so that a shell can
// recompute it:  cd images/<name> && sha256sum <files in C sort order> | sha256sum
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const MANIFEST_FORMAT = 1;

export interface RecipeOutput {
  file: string;
  description: string;
  source_package: string;
  version: string;
  licence: string;
}

export interface RecipeJson {
  recipe: string[];
  outputs: RecipeOutput[];
}

export interface ManifestOutput {
  path: string;
  size: number;
  sha256: string;
  source_package: string;
  version: string;
  licence: string;
  description: string;
}

export interface ManifestRecipe {
  folder: string;
  recipe_files: string[];
  recipe_sha256: string;
  outputs: ManifestOutput[];
}

export interface Manifest {
  format: number;
  recipes: ManifestRecipe[];
}

/** The images/ folder this script lives in. */
export const IMAGES_DIR = dirname(fileURLToPath(import.meta.url));

const SPDX = /^[A-Za-z0-9.+-]+( (AND|OR|WITH) [A-Za-z0-9.+-]+)*$/;

function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Byte-order comparison, as `LC_ALL=C sort` orders names. */
function byteOrder(a: string, b: string): number {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return Buffer.compare(x, y);
}

function globSegment(pattern: string): RegExp {
  let re = "";
  for (const ch of pattern) {
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** Expands one recipe entry (a path, or a pattern with * and ? inside segments) to files. */
function expandPattern(folder: string, pattern: string): string[] {
  // "../NAME" is a file shared by the recipes (images/lib.sh); nothing else may leave the folder.
  const shared = /^\.\.\/[^/*?]+$/.test(pattern);
  if (!shared && (pattern.startsWith("/") || pattern.split("/").includes(".."))) {
    throw new Error(`recipe entry "${pattern}" in ${folder}: must be a path inside the folder or ../NAME (a file in images/)`);
  }
  if (shared) {
    if (!existsSync(join(folder, pattern)) || !statSync(join(folder, pattern)).isFile()) throw new Error(`recipe entry "${pattern}" matches no file in ${folder}`);
    return [pattern];
  }
  let found = [""];
  for (const seg of pattern.split("/")) {
    const next: string[] = [];
    for (const base of found) {
      const dir = join(folder, base);
      if (!/[*?]/.test(seg)) {
        const p = base ? `${base}/${seg}` : seg;
        if (existsSync(join(folder, p))) next.push(p);
        continue;
      }
      if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
      const re = globSegment(seg);
      for (const name of readdirSync(dir)) {
        if (re.test(name)) next.push(base ? `${base}/${name}` : name);
      }
    }
    found = next;
  }
  const files = found.filter((p) => statSync(join(folder, p)).isFile());
  if (files.length === 0) {
    throw new Error(`recipe entry "${pattern}" matches no file in ${folder}`);
  }
  return files;
}

/** The sorted, de-duplicated recipe files of a folder. */
export function recipeFiles(folder: string, recipe: RecipeJson): string[] {
  const set = new Set<string>();
  for (const entry of recipe.recipe) for (const f of expandPattern(folder, entry)) set.add(f);
  return [...set].sort(byteOrder);
}

/** sha256 of the `sha256sum` listing of the recipe files (see the header). */
export function recipeSha256(folder: string, files: string[]): string {
  const listing = files.map((f) => `${sha256(readFileSync(join(folder, f)))}  ${f}\n`).join("");
  return sha256(listing);
}

function readRecipe(folder: string): RecipeJson {
  const path = join(folder, "recipe.json");
  const json = JSON.parse(readFileSync(path, "utf8")) as Partial<RecipeJson>;
  if (!Array.isArray(json.recipe) || json.recipe.length === 0) {
    throw new Error(`${path}: "recipe" must be a non-empty array of files`);
  }
  if (!Array.isArray(json.outputs) || json.outputs.length === 0) {
    throw new Error(`${path}: "outputs" must be a non-empty array`);
  }
  for (const [i, o] of json.outputs.entries()) {
    for (const key of ["file", "description", "source_package", "version", "licence"] as const) {
      if (typeof o[key] !== "string" || o[key] === "") {
        throw new Error(`${path}: outputs[${i}].${key} must be a non-empty string`);
      }
    }
    if (!SPDX.test(o.licence)) {
      throw new Error(`${path}: outputs[${i}].licence "${o.licence}" is not an SPDX expression`);
    }
  }
  return json as RecipeJson;
}

/** The recipe folders (names) under imagesDir, sorted. */
export function recipeFolders(imagesDir: string = IMAGES_DIR): string[] {
  return readdirSync(imagesDir)
    .filter((name) => existsSync(join(imagesDir, name, "recipe.json")))
    .sort(byteOrder);
}

/**
 * Computes the manifest from the files on disk. Outputs that are missing get
 * size -1 and sha256 "" so that a check can name them instead of throwing.
 */
export function computeManifest(imagesDir: string = IMAGES_DIR): Manifest {
  return { format: MANIFEST_FORMAT, recipes: recipeFolders(imagesDir).map((name) => computeRecipe(imagesDir, name)) };
}

/** One recipe folder's entry; throws naming the folder when its recipe.json is unusable. */
export function computeRecipe(imagesDir: string, name: string): ManifestRecipe {
  const folder = join(imagesDir, name);
  const recipe = readRecipe(folder);
  const files = recipeFiles(folder, recipe);
  const outputs: ManifestOutput[] = recipe.outputs.map((o) => {
    if (files.includes(o.file)) {
      throw new Error(`images/${name}/recipe.json: ${o.file} is both a recipe file and an output`);
    }
    const path = join(folder, o.file);
    const data = existsSync(path) ? readFileSync(path) : undefined;
    return {
      path: `images/${name}/${o.file}`,
      size: data ? data.length : -1,
      sha256: data ? sha256(data) : "",
      source_package: o.source_package,
      version: o.version,
      licence: o.licence,
      description: o.description,
    };
  });
  return {
    folder: `images/${name}`,
    recipe_files: files,
    recipe_sha256: recipeSha256(folder, files),
    outputs,
  };
}

/** Stable text: fixed key order (that of the interfaces), two-space indent, trailing newline. */
export function manifestText(m: Manifest): string {
  const ordered: Manifest = {
    format: m.format,
    recipes: m.recipes.map((r) => ({
      folder: r.folder,
      recipe_files: r.recipe_files,
      recipe_sha256: r.recipe_sha256,
      outputs: r.outputs.map((o) => ({
        path: o.path,
        size: o.size,
        sha256: o.sha256,
        source_package: o.source_package,
        version: o.version,
        licence: o.licence,
        description: o.description,
      })),
    })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * Compares the outputs and recipes on disk with images/manifest.json.
 * Returns one message per problem (empty when everything matches).
 */
export function checkManifest(imagesDir: string = IMAGES_DIR): string[] {
  const problems: string[] = [];
  const manifestPath = join(imagesDir, "manifest.json");
  if (!existsSync(manifestPath)) {
    return [`images/manifest.json: missing (run npx tsx images/manifest.ts --write)`];
  }
  const recorded = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  // One broken recipe.json must not hide the state of the others.
  const actual: Manifest = { format: MANIFEST_FORMAT, recipes: [] };
  const unreadable = new Set<string>();
  for (const name of recipeFolders(imagesDir)) {
    try {
      actual.recipes.push(computeRecipe(imagesDir, name));
    } catch (e) {
      unreadable.add(`images/${name}`);
      problems.push(`images/${name}: ${(e as Error).message}`);
    }
  }
  if (recorded.format !== MANIFEST_FORMAT) {
    problems.push(`images/manifest.json: format ${recorded.format}, expected ${MANIFEST_FORMAT}`);
  }
  const recordedRecipes = new Map((recorded.recipes ?? []).map((r) => [r.folder, r]));
  for (const a of actual.recipes) {
    const r = recordedRecipes.get(a.folder);
    recordedRecipes.delete(a.folder);
    if (!r) {
      problems.push(`${a.folder}: recipe not in images/manifest.json (build it, then run manifest.ts --write)`);
      continue;
    }
    const rebuild = `rebuild with ${a.folder}/${a.folder === "images/debian" ? "fetch.sh" : "build.sh"}, then run manifest.ts --write`;
    if (r.recipe_sha256 !== a.recipe_sha256) {
      const before = new Set(r.recipe_files ?? []);
      const changed = a.recipe_files.filter((f) => !before.has(f));
      const gone = (r.recipe_files ?? []).filter((f) => !a.recipe_files.includes(f));
      const detail = [
        changed.length ? `new files: ${changed.join(", ")}` : "",
        gone.length ? `removed files: ${gone.join(", ")}` : "",
      ].filter(Boolean).join("; ");
      problems.push(
        `${a.folder}: recipe changed since the outputs were built (recipe_sha256 ${a.recipe_sha256.slice(0, 12)}…, manifest has ${r.recipe_sha256.slice(0, 12)}…${detail ? `; ${detail}` : ""}): ${rebuild}`,
      );
    }
    const recordedOutputs = new Map((r.outputs ?? []).map((o) => [o.path, o]));
    for (const o of a.outputs) {
      const ro = recordedOutputs.get(o.path);
      recordedOutputs.delete(o.path);
      if (o.size < 0) {
        problems.push(`${o.path}: missing (${rebuild})`);
        continue;
      }
      if (!ro) {
        problems.push(`${o.path}: not in images/manifest.json (run manifest.ts --write)`);
        continue;
      }
      if (ro.sha256 !== o.sha256 || ro.size !== o.size) {
        problems.push(
          `${o.path}: ${o.size} bytes, sha256 ${o.sha256.slice(0, 12)}… does not match the manifest's ${ro.size} bytes, sha256 ${ro.sha256.slice(0, 12)}… (${rebuild})`,
        );
      }
      for (const key of ["source_package", "version", "licence", "description"] as const) {
        if (ro[key] !== o[key]) {
          problems.push(`${o.path}: ${key} "${o[key]}" in recipe.json, "${ro[key]}" in images/manifest.json (run manifest.ts --write)`);
        }
      }
    }
    for (const path of recordedOutputs.keys()) {
      problems.push(`${path}: in images/manifest.json but no longer an output of ${a.folder}/recipe.json (run manifest.ts --write)`);
    }
  }
  for (const folder of recordedRecipes.keys()) {
    if (unreadable.has(folder)) continue;
    problems.push(`${folder}: in images/manifest.json but has no recipe.json (run manifest.ts --write)`);
  }
  if (problems.length === 0 && readFileSync(manifestPath, "utf8") !== manifestText(actual)) {
    problems.push(`images/manifest.json: not in canonical form (run manifest.ts --write)`);
  }
  return problems;
}

function main(argv: string[]): number {
  const mode = argv[0] ?? "--check";
  const dirArg = argv[1];
  const imagesDir = dirArg ? resolve(dirArg) : IMAGES_DIR;
  if (mode === "--write") {
    const m = computeManifest(imagesDir);
    const missing = m.recipes.flatMap((r) => r.outputs).filter((o) => o.size < 0);
    if (missing.length) {
      for (const o of missing) console.error(`${o.path}: missing, cannot write the manifest`);
      return 1;
    }
    writeFileSync(join(imagesDir, "manifest.json"), manifestText(m));
    const n = m.recipes.reduce((s, r) => s + r.outputs.length, 0);
    console.log(`images/manifest.json: ${m.recipes.length} recipes, ${n} outputs`);
    return 0;
  }
  if (mode === "--check") {
    const problems = checkManifest(imagesDir);
    for (const p of problems) console.error(p);
    if (problems.length === 0) console.log("images/manifest.json: every output and recipe matches");
    return problems.length ? 1 : 0;
  }
  console.error("usage: npx tsx images/manifest.ts [--write|--check] [imagesDir]");
  return 2;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
