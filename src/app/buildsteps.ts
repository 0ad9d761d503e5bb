// The build's progress as the page shows it: the fetch of the ingredients, then each step of
// src/build.ts with its HOWTO section, size, time and detail, marked waiting, running, done or failed.

import { BUILD_STEPS as CORE_BUILD_STEPS } from "../steps.ts";
import { h, $, fmtMs, fmtSize } from "./dom.ts";

/** The page's steps: fetching the ingredients, then the build's own (src/build.ts). */
const BUILD_STEPS: { id: string; section: string; title: string }[] = [
  { id: "fetch", section: "3.1", title: "Fetch the ingredients" },
  ...CORE_BUILD_STEPS.map(({ id, section, title }) => ({ id, section, title })),
];

export function stepRow(id: string): HTMLElement {
  return $(`#steps li[data-id="${id}"]`);
}

/** A build step's state, as the mark shows it and as text for screen readers. */
export function setStep(li: HTMLElement, st: "waiting" | "running" | "done" | "failed"): void {
  li.dataset.state = st;
  li.querySelector(".sstate")!.textContent = `${st}: `;
}

export function resetSteps(): void {
  const ol = $("#steps");
  ol.replaceChildren(
    ...BUILD_STEPS.map((s) =>
      h(
        "li",
        { "data-id": s.id, "data-state": "waiting" },
        h("span", { class: "mark", "aria-hidden": "true" }),
        h("span", { class: "sr-only sstate" }, "waiting: "),
        h("span", { class: "secno" }, s.section),
        h("span", { class: "stitle" }, s.title),
        h("span", { class: "ssize" }),
        h("span", { class: "stime" }),
        h("span", { class: "sdetail" }),
      ),
    ),
  );
  setStep(stepRow("fetch"), "running");
  $("#build-total").textContent = "";
  $("#build-error").textContent = "";
}

export function markStep(id: string, title: string | undefined, bytes: number, ms: number, detail: string): void {
  const li = stepRow(id);
  setStep(li, "done");
  // The short title stays; the core's full one (with the commands it stands for) is the tooltip.
  if (title) li.title = title;
  li.querySelector(".ssize")!.textContent = bytes ? fmtSize(bytes) : "";
  li.querySelector(".stime")!.textContent = fmtMs(ms);
  li.querySelector(".sdetail")!.textContent = detail;
  const next = li.nextElementSibling as HTMLElement | null;
  if (next && next.dataset.state === "waiting") setStep(next, "running");
}
