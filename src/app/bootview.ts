// The boot as the page shows it: the milestones of the boot chain with their times, the verdict
// with what to try and the table of the guest's report, and the serial console's view.

import type { BootResult, HarnessEvent } from "../../emulator/harness.ts";
import { hintFor } from "../../emulator/hints.ts";
import { h, $ } from "./dom.ts";
import { fieldLink } from "./fieldlinks.ts";
import type { TextTerminal } from "./term.ts";
import type { ChainDiagram } from "./diagram.ts";

/** The serial console view: one text node per batch of completed lines, then the line being written. */
const SERIAL_VIEW_MS = 60;
const SERIAL_MAX_CHUNKS = 300;

export interface BootViewHooks {
  term: TextTerminal;
  chain: ChainDiagram;
  /** A hint's link to a choice: focus its field. */
  focusField(field: string): void;
  /** What the hints need to know of the build. */
  hintContext(): { ownDos: boolean; ownRoot: boolean };
}

export class BootView {
  constructor(private hooks: BootViewHooks) {}

  /** A milestone's state, as the dot shows it and as text for screen readers. */
  private setMilestone(li: HTMLElement, st: "pending" | "reached" | "failed", at: string, why = ""): void {
    li.dataset.state = st;
    li.querySelector(".mtime")!.textContent = at;
    li.querySelector(".mstate")!.textContent =
      st === "pending"
        ? "(pending)"
        : st === "reached"
          ? `(reached at ${at})`
          : `(failed at ${at}${why ? `: ${why}` : ""})`;
  }

  /** A new boot (or restore): the milestones pending, no verdict, an empty console. */
  reset(): void {
    for (const li of Array.from($("#milestones").querySelectorAll<HTMLElement>("li"))) {
      this.setMilestone(li, "pending", "");
      (li.querySelector(".mtitle") as HTMLElement).title = "";
    }
    const v = $("#verdict");
    v.textContent = "";
    v.dataset.ok = "";
    const t = $("#checks") as HTMLTableElement;
    t.hidden = true;
    t.replaceChildren();
    this.showHint(undefined);
    this.hooks.chain.reset();
    this.hooks.term.clear();
    $("#serial-text").replaceChildren();
  }

  private serialTimer: ReturnType<typeof setTimeout> | undefined;
  /** Text from the guest's serial console, shown in its view. */
  serial(text: string): void {
    this.hooks.term.write(text);
    // Redrawn at most every SERIAL_VIEW_MS and only by appending, so a chatty guest costs little layout.
    this.serialTimer ??= setTimeout(() => this.drawSerial(), SERIAL_VIEW_MS);
  }

  private drawSerial(): void {
    this.serialTimer = undefined;
    const pre = $("#serial-text");
    const d = this.hooks.term.drain();
    let current = pre.lastChild as HTMLElement | null;
    if (d.reset || !current || current.nodeName !== "SPAN") {
      pre.replaceChildren();
      current = h("span", { class: "current" });
      pre.append(current);
    }
    if (d.complete) pre.insertBefore(document.createTextNode(d.complete), current);
    while (pre.childNodes.length > SERIAL_MAX_CHUNKS) pre.firstChild!.remove();
    current.textContent = d.current;
  }

  /** Under a failed verdict: what to try, with links to the choices that most likely caused it. */
  showHint(failure: BootResult["failure"]): void {
    const el = $("#boot-hint");
    const hint = failure && hintFor(failure, this.hooks.hintContext());
    el.hidden = !hint;
    if (!hint) return el.replaceChildren();
    el.replaceChildren(
      h("strong", {}, "What to try: "),
      hint.sentence,
      " ",
      h("span", { class: "muted" }, "Look at "),
      ...hint.fields.flatMap((f, i) => [i ? ", " : "", fieldLink(f, this.hooks.focusField)]),
      ".",
    );
  }

  showVerdict(r: BootResult): void {
    const v = $("#verdict");
    v.dataset.ok = String(r.ok);
    v.replaceChildren(h("strong", {}, r.ok ? "Verified: " : "Not verified: "), r.summary);
    this.showHint(r.ok ? undefined : r.failure);
    const t = $("#checks") as HTMLTableElement;
    t.replaceChildren(
      h("caption", {}, "What the guest reported, checked against the choices"),
      h("colgroup", {}, h("col", { class: "c-mark" }), h("col", {}), h("col", {}), h("col", {})),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, ""),
          h("th", { scope: "col" }, "check"),
          h("th", { scope: "col" }, "expected"),
          h("th", { scope: "col" }, "reported"),
        ),
      ),
      h(
        "tbody",
        {},
        ...r.checks.map((c) =>
          h(
            "tr",
            { "data-ok": String(c.ok) },
            h("td", {}, c.ok ? "✓" : "✗"),
            h("td", {}, c.what),
            h("td", {}, c.expected),
            h("td", {}, c.got),
          ),
        ),
      ),
    );
    t.hidden = r.checks.length === 0;
  }

  /** A harness event: a milestone reached or failed (its title for the clock), or the verdict. */
  event(e: HarnessEvent): string | undefined {
    this.hooks.chain.event(e);
    if (e.type === "milestone") {
      const li = $(`#milestones li[data-id="${e.milestone.id}"]`);
      this.setMilestone(li, "reached", `${(e.milestone.atMs / 1000).toFixed(1)} s`);
      (li.querySelector(".mtitle") as HTMLElement).title = e.milestone.evidence;
      return e.milestone.title;
    } else if (e.type === "failure") {
      const li = $(`#milestones li[data-id="${e.failure.stage}"]`);
      this.setMilestone(li, "failed", `${(e.failure.atMs / 1000).toFixed(1)} s`, e.failure.title);
      (li.querySelector(".mtitle") as HTMLElement).title = e.failure.evidence;
    } else if (e.type === "verdict") {
      this.showVerdict(e.result);
    }
    return undefined;
  }

  /** A verdict the page gives itself (the emulator or the harness stopped): its text, as failed. */
  failed(text: string): string {
    const v = $("#verdict");
    v.textContent = text;
    v.dataset.ok = "false";
    return text;
  }
}
