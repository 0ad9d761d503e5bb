// An example CI test: boots your config in the built looproot page and fails unless it verified.
//   npx vite build && npx vite preview --port 4173 &
//   LOOPROOT_URL=http://127.0.0.1:4173/ LOOPROOT_CONFIG=my-config.json node --test verify-config.test.mjs

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { verifyConfig } from "./verify-config.mjs";

const url = process.env.LOOPROOT_URL ?? "http://127.0.0.1:4173/";
const config = process.env.LOOPROOT_CONFIG ? JSON.parse(readFileSync(process.env.LOOPROOT_CONFIG, "utf8")) : {};

test("the config boots to a verified loop root in the page", { timeout: 330_000 }, async () => {
  const result = await verifyConfig(url, config);
  const failed =
    result.checks?.filter((c) => !c.ok).map((c) => `${c.what}: expected ${c.expected}, got ${c.got}`) ?? [];
  const problems = result.problems?.map((p) => `${p.field}: ${p.message}`) ?? [];
  assert.equal(result.ok, true, `${result.stage}: ${result.summary}\n${[...failed, ...problems].join("\n")}`);
  assert.equal(result.report.rootdev, "7:0", "the root is the loop device");
});
