// Where the looproot package is on disk and which version it is. The same code runs from the
// sources (src/node/) and from the compiled package (dist-lib/src/node/), at different depths, so
// the root is found by walking up to looproot's own package.json rather than by a fixed "../..".

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** How many folders up the walk goes: dist-lib/src/node is three below the root. */
const MAX_UP = 6;

let cached: { root: string; version: string } | undefined;

function find(): { root: string; version: string } {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i <= MAX_UP; i++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "looproot" && typeof pkg.version === "string")
        return (cached = { root: dir, version: pkg.version });
    }
    dir = dirname(dir);
  }
  // A bug, not a user error: the module was moved out of its package.
  throw new Error(`looproot's package.json not found within ${MAX_UP} folders above ${fileURLToPath(import.meta.url)}`);
}

/** The folder holding looproot's package.json (the repository, or node_modules/looproot). */
export function packageRoot(): string {
  return find().root;
}

/** The package version from package.json, as `looproot --version` prints it. */
export function packageVersion(): string {
  return find().version;
}
