#!/usr/bin/env node
// Entry point for `npx looproot`. In the repository (src/ present) it runs the TypeScript sources
// through tsx, so an edit is live without a build and a stale dist-lib/ is never run. The
// published package ships no src/, only the compiled dist-lib/, and needs nothing but Node.
import { existsSync } from "node:fs";

const sources = new URL("../src/cli/main.ts", import.meta.url);
let main;
if (existsSync(sources)) {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import("../dist-lib/src/cli/main.js"));
}
process.exitCode = await main(process.argv.slice(2));
