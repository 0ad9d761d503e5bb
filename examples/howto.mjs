#!/usr/bin/env node
// The whole Loopback Root Filesystem HOWTO (section 3) in a dozen lines: build, write, boot, verify.
//   node howto.mjs [OUT_DIR]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildHowto } from "looproot";
import { loadIngredients, bootHowto } from "looproot/emulator/node";

const out = process.argv[2] ?? "howto-out";
const config = { swap: { sizeMiB: 8 } }; // any part of `looproot config`; the rest is the HOWTO's
const build = buildHowto({ config, ingredients: loadIngredients() });
mkdirSync(out, { recursive: true });
for (const f of build.files) writeFileSync(join(out, f.name), f.data);
const verdict = await bootHowto(build, config, { timeoutS: 300 });
console.log(verdict.summary);
process.exitCode = verdict.ok ? 0 : 1;
