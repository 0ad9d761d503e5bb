// The page as a test target: a link with the flag `autostart` builds and boots the config it
// carries as soon as the page loads, and every verdict is published as data, for a user's CI
// (examples/playwright/) to read instead of scraping the page's text:
//   - <script type="application/json" id="looproot-result">: the JSON of the last verdict;
//   - the event "looproot:verdict" on window, its detail the same JSON.
// A boot's JSON is the one `looproot boot --json` prints (src/bootjson.ts) plus `stage: "boot"`;
// a config that never reached the emulator gives ok: false, its stage and its problems.

import type { BootResult } from "../../emulator/harness.ts";
import { bootResultJson, type BootResultJson } from "../bootjson.ts";
import { machineJson } from "../../emulator/pc.ts";
import type { Problem } from "../errors.ts";

export const RESULT_ELEMENT_ID = "looproot-result";
export const VERDICT_EVENT = "looproot:verdict";

/** Where the run stopped: the link, validation, the build, starting the emulator, or the boot itself. */
export type Stage = "link" | "validate" | "build" | "emulator" | "boot";

export type Verdict =
  | ({ stage: "boot" } & BootResultJson)
  | { ok: false; stage: Exclude<Stage, "boot">; summary: string; problems: Problem[] };

/** `#...&autostart` (after a link's settings) or `?autostart`: the flag is a word of its own, in the hash or the query. */
export function wantsAutostart(hash: string, search: string): boolean {
  return /(?:^#|&)autostart(?:=[^&]*)?(?:&|$)/.test(hash) || new URLSearchParams(search).has("autostart");
}

/** The page's verdict: v86's one PC with the RAM it was given, as `looproot boot --json` says it. */
export function bootVerdict(result: BootResult, memoryMiB: number): Verdict {
  return { stage: "boot", ...bootResultJson(result, undefined, machineJson("v86", {}, memoryMiB)) };
}

export function problemVerdict(stage: Exclude<Stage, "boot">, summary: string, problems: Problem[] = []): Verdict {
  return { ok: false, stage, summary, problems: problems.map((p) => ({ ...p })) };
}

/** Puts the verdict into the result element (made on first use) and sends the event. */
export function publishVerdict(v: Verdict, doc: Document = document, win: Window = window): void {
  let el = doc.getElementById(RESULT_ELEMENT_ID);
  if (!el) {
    el = doc.createElement("script");
    el.setAttribute("type", "application/json");
    el.id = RESULT_ELEMENT_ID;
    doc.body.append(el);
  }
  // "<" escaped: the JSON is inside a <script>, and a guest's evidence line could hold "</script>".
  el.textContent = JSON.stringify(v).replace(/</g, "\\u003c");
  win.dispatchEvent(new CustomEvent(VERDICT_EVENT, { detail: JSON.parse(JSON.stringify(v)) }));
}

/** Clears the published verdict when a new run starts, so a waiting test never reads the old one. */
export function clearVerdict(doc: Document = document): void {
  doc.getElementById(RESULT_ELEMENT_ID)?.remove();
}
