// The boot chain drawn: a box per step (emulator/chain.ts says which), lit as the harness's
// milestones arrive, red where the boot failed, dashed for what this machine does not print.
// Selecting a box shows the guest's lines that prove it, with their times, and what the step read
// (from the floppy, read in a worker). Every box and the details pane keep their size from the
// first paint, so the page does not move while the boot runs.

import type { HarnessEvent } from "../../emulator/harness.ts";
import {
  CHAIN,
  ChainLog,
  boxStates,
  readsFor,
  boxNote,
  type BoxId,
  type BoxState,
  type ChainFacts,
} from "../../emulator/chain.ts";
import { MILESTONES, type MilestoneId } from "../../emulator/milestones.ts";
import { h, $ } from "./dom.ts";
import { fmt } from "../util/fmt.ts";

const STATE_WORDS: Record<BoxState, string> = {
  pending: "not yet",
  active: "running now",
  reached: "proven",
  failed: "failed",
  "not-seen": "not seen on this machine",
};
/** A box's state in words; a step the kernel was told not to print is put down to that argument. */
const stateWords = (s: BoxState, quiet?: string) =>
  s === "not-seen" && quiet ? `not printed (kernel argument ${quiet})` : STATE_WORDS[s];

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const setText = (el: HTMLElement, t: string) => {
  if (el.textContent !== t) el.textContent = t;
};
const setIfChanged = (el: HTMLElement, name: string, v: string) => {
  if (el.getAttribute(name) !== v) el.setAttribute(name, v);
};

export class ChainDiagram {
  readonly el: HTMLElement;
  private log = new ChainLog();
  private started = false;
  private ended = false;
  private facts: ChainFacts | undefined;
  private factsProblem = "";
  /** The kernel argument (quiet, loglevel=N) that keeps the kernel's steps off the console, if any. */
  private quiet: string | undefined;
  private selected: BoxId | undefined;
  /** The selection was the page's (the failed step), not the user's: the next boot clears it. */
  private autoSelected = false;
  /** Which boot the facts belong to: a late answer for an earlier boot is dropped. */
  private seq = 0;
  private lastStatus = "";
  /** The verdict's word when the boot ended with every step seen but the report disagreeing. */
  private disagrees = false;
  private lineTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly hint: HTMLElement;

  constructor() {
    this.hint = h(
      "p",
      { class: "muted" },
      "Select a step (click it, or Tab to it and press Enter) to see the guest's lines that prove it and what it read.",
    );
    const boxes = CHAIN.map((b) =>
      h(
        "button",
        {
          type: "button",
          class: "cbox",
          "data-id": b.id,
          "data-state": "pending",
          "aria-pressed": "false",
          "aria-controls": "chain-detail",
          onclick: () => this.select(b.id),
        },
        h("span", { class: "clabel" }, b.label),
        h("span", { class: "cnote" }, "\u00a0"),
        h("span", { class: "ctime" }, "\u00a0"),
      ),
    );
    // The two loop devices /linuxrc sets up together share one place in the chain.
    const items: HTMLElement[] = [];
    CHAIN.forEach((b, i) => {
      if (b.parallel) items.at(-1)!.append(boxes[i]);
      else items.push(h("li", { class: "cstep" }, boxes[i]));
    });
    for (const li of items) if (li.children.length > 1) li.classList.add("cpair");
    this.el = h(
      "section",
      { class: "card", id: "chain-card", "aria-labelledby": "chain-h" },
      h(
        "h2",
        { id: "chain-h" },
        "The boot chain, drawn ",
        h("span", { class: "muted" }, "(select a step for its evidence)"),
      ),
      h("ol", { id: "chain", class: "chain", "aria-label": "Boot chain steps" }, ...items),
      h(
        "p",
        { id: "chain-status", class: "chain-status", role: "status", "aria-live": "polite" },
        "Waiting for a boot.",
      ),
      h(
        "div",
        {
          id: "chain-detail",
          class: "chain-detail",
          role: "region",
          tabindex: "0",
          "aria-label": "Evidence for the selected step",
        },
        this.hint,
      ),
    );
    this.render();
  }

  private box(id: BoxId): HTMLElement {
    return $(`.cbox[data-id="${id}"]`, this.el);
  }

  /** A new boot (or none): every box waits, the facts are forgotten. */
  reset(): void {
    this.seq++;
    this.log = new ChainLog();
    this.started = false;
    this.ended = false;
    this.disagrees = false;
    if (this.autoSelected) this.selected = undefined;
    this.autoSelected = false;
    this.facts = undefined;
    this.factsProblem = "";
    this.render();
  }

  /** A boot starts: the chain waits for the BIOS; the facts of what each step reads arrive when the floppy is read. */
  begin(facts: Promise<ChainFacts>, quiet?: string): void {
    this.reset();
    this.quiet = quiet;
    this.started = true;
    const seq = this.seq;
    facts.then(
      (f) => {
        if (seq === this.seq) {
          this.facts = f;
          this.render();
        }
      },
      (e: Error) => {
        if (seq === this.seq) {
          this.factsProblem = `The floppy could not be read for the details: ${e.message}`;
          this.render();
        }
      },
    );
    this.render();
  }

  /** A machine restored from a snapshot: no boot to watch. */
  restored(): void {
    this.reset();
    this.setStatus("Restored from a snapshot: no boot to watch, so no step is proven.");
  }

  /** The machine was stopped before a verdict: nothing is running any more. */
  stopped(): void {
    if (!this.started || this.ended) return;
    this.ended = true;
    this.render();
  }

  /** The harness's events, as they arrive. */
  event(e: HarnessEvent): void {
    if (e.type === "line") {
      this.log.line(e.atMs, e.text);
      // A selected step's own lines show up within a moment, without a redraw per kernel line.
      if (this.selected && !this.lineTimer)
        this.lineTimer = setTimeout(() => {
          this.lineTimer = undefined;
          this.render();
        }, 300);
      return;
    }
    if (e.type === "milestone") this.log.milestone(e.milestone);
    else if (e.type === "failure") {
      this.log.fail(e.failure);
      this.ended = true;
      // The failed step's evidence, unless the user is already looking at a step.
      if (this.selected === undefined) {
        this.selected = CHAIN.find((b) => this.states()[b.id] === "failed")?.id;
        this.autoSelected = true;
      }
    } else if (e.type === "verdict") {
      this.ended = true;
      this.disagrees = !e.result.ok && !e.result.failure;
    }
    this.render();
  }

  /** The harness's stage: the milestone after the furthest one reached. */
  private stage(): MilestoneId | undefined {
    if (!this.started || this.ended) return undefined;
    const furthest = Math.max(-1, ...this.log.reached.map((m) => MILESTONES.findIndex((d) => d.id === m.id)));
    return MILESTONES[furthest + 1]?.id;
  }

  private states(): Record<BoxId, BoxState> {
    return boxStates({ reached: this.log.reached, failure: this.log.failure, stage: this.stage() });
  }

  private select(id: BoxId): void {
    this.selected = this.selected === id ? undefined : id;
    this.autoSelected = false;
    this.render();
  }

  private setStatus(text: string): void {
    if (text === this.lastStatus) return;
    this.lastStatus = text;
    $("#chain-status", this.el).textContent = text;
  }

  private render(): void {
    const st = this.states();
    const reachedAt = new Map(this.log.reached.map((m) => [m.id, m.atMs]));
    for (const b of CHAIN) {
      const el = this.box(b.id);
      const s = st[b.id];
      // Written only when changed: a boot renders often, and observers see each write.
      if (el.dataset.state !== s) el.dataset.state = s;
      setIfChanged(el, "aria-pressed", String(this.selected === b.id));
      const at = b.proof.map((m) => reachedAt.get(m)).find((t) => t !== undefined);
      const time =
        s === "failed"
          ? `failed ${secs(this.log.failure!.atMs)}`
          : at !== undefined
            ? secs(at)
            : s === "not-seen"
              ? "not seen"
              : s === "active"
                ? "running…"
                : "\u00a0";
      setText($(".ctime", el), time);
      setText($(".cnote", el), this.facts ? boxNote(b.id, this.facts) || "\u00a0" : "\u00a0");
      setIfChanged(
        el,
        "aria-label",
        `${b.label}: ${stateWords(s, this.quiet)}${at !== undefined && s !== "failed" ? ` at ${secs(at)}` : ""}${s === "failed" ? ` at ${secs(this.log.failure!.atMs)}: ${this.log.failure!.title}` : ""}`,
      );
    }
    const proven = CHAIN.filter((b) => st[b.id] === "reached").length;
    const failed = CHAIN.find((b) => st[b.id] === "failed");
    if (failed)
      this.setStatus(
        `Failed at “${failed.label}”: ${this.log.failure!.title}. ${proven} of ${CHAIN.length} steps proven.`,
      );
    else if (this.disagrees)
      this.setStatus(
        `${proven} of ${CHAIN.length} steps seen, but the guest's report disagrees with the choices (see the checks).`,
      );
    else if (this.started || proven)
      this.setStatus(
        proven === CHAIN.length
          ? `All ${CHAIN.length} steps proven.`
          : `${proven} of ${CHAIN.length} steps proven${this.ended ? "." : `; running: ${CHAIN.find((b) => st[b.id] === "active")?.label ?? "…"}.`}`,
      );
    else this.setStatus("Waiting for a boot.");
    this.renderDetail(st);
  }

  private renderDetail(st: Record<BoxId, BoxState>): void {
    const pane = $("#chain-detail", this.el);
    const id = this.selected;
    if (!id) {
      if (pane.firstChild !== this.hint || pane.childNodes.length > 1) pane.replaceChildren(this.hint);
      return;
    }
    const b = CHAIN.find((x) => x.id === id)!;
    const lines = this.log.evidence(id);
    const reads = this.facts ? readsFor(id, this.facts) : [];
    pane.replaceChildren(
      h("h3", {}, b.label, " ", h("span", { class: `cstate cstate-${st[id]}` }, stateWords(st[id], this.quiet))),
      h("p", { class: "cdoes" }, b.does),
      h("h4", {}, "What the guest printed"),
      lines.length
        ? h(
            "ol",
            { class: "clines" },
            ...lines.map((l) =>
              h(
                "li",
                { "data-role": l.role },
                h("span", { class: "cat" }, secs(l.atMs)),
                h("code", {}, l.text),
                l.role === "failure" ? h("span", { class: "sr-only" }, " (the failure)") : null,
              ),
            ),
          )
        : h(
            "p",
            { class: "muted" },
            st[id] === "not-seen"
              ? this.quiet
                ? `Nothing: the kernel argument ${this.quiet} keeps the kernel from printing this step; a later step proves it ran.`
                : "Nothing: this machine does not print this step; a later step proves it ran."
              : "Nothing yet.",
          ),
      h("h4", {}, "What it read"),
      reads.length
        ? h(
            "ul",
            { class: "creads" },
            ...reads.map((r) =>
              h(
                "li",
                {},
                r.what,
                r.where ? [" ", h("code", { class: "cwhere" }, r.where)] : null,
                r.bytes !== undefined ? h("span", { class: "cbytes" }, `${fmt(r.bytes)} bytes`) : null,
              ),
            ),
          )
        : h(
            "p",
            { class: "muted" },
            this.factsProblem || (this.started ? "Reading the floppy…" : "Read from the floppy when a boot starts."),
          ),
    );
  }
}
