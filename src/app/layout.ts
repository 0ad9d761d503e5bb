// The page's frame: the header with Build, Stop, Reset, Network and the share bar, the build's
// progress, the boot chain, the PC (screen and serial console) and the results. The parts with a
// life of their own (the screen, the diagram, keeping, See inside) are built by their modules and
// put in here; main.ts wires the actions.

import { MILESTONES } from "../../emulator/milestones.ts";
import { h } from "./dom.ts";
import { RELEASE_KEYS, type ScreenConsole } from "./screen.ts";
import type { ChainDiagram } from "./diagram.ts";

/** What the "Network" choice gives the guest (emulator/net.ts), said beside it. */
const NET_SENTENCE =
  "Network (from the next boot): a network card and an address by DHCP from v86's own network, which carries the guest's web requests (HTTP, port 80) through this page's fetch(): this page's server is http://PORT.external/ (PORT: the page's port), other sites only where they allow cross-origin requests; no other protocols. Needs a kernel with networking (the distribution kernel).";

export interface LayoutActions {
  build(): void;
  stop(): void;
  reset(): void;
  saveJson(): void;
  loadJson(file: File | undefined): void;
  copyLink(): void;
  defaults(): void;
  /** Enter on the serial console's line. */
  serialLine(): void;
  serialKey(e: KeyboardEvent): void;
  ctrlC(): void;
}

/** The page's elements, in order, for #app. */
export function pageLayout(parts: { screen: ScreenConsole; chain: ChainDiagram }, on: LayoutActions): HTMLElement[] {
  return [
    h(
      "header",
      { class: "top" },
      h(
        "div",
        { class: "title" },
        h("h1", {}, "looproot"),
        h(
          "p",
          {},
          "Section 3 of the Loopback Root Filesystem HOWTO: Linux whose root filesystem is a file on a DOS partition, built in this tab and booted in an emulated PC.",
        ),
      ),
      h(
        "div",
        { class: "actions", role: "toolbar", "aria-label": "Build and machine" },
        h("button", { id: "build", class: "primary", type: "button", onclick: on.build }, "Build and boot"),
        h("button", { id: "stop", type: "button", disabled: true, onclick: on.stop }, "Stop"),
        h("button", { id: "reset", type: "button", disabled: true, onclick: on.reset }, "Reset"),
        h(
          "label",
          { class: "net-choice", title: NET_SENTENCE },
          h("input", { id: "net", type: "checkbox", "aria-describedby": "net-what" }),
          " Network",
        ),
        h("span", { id: "net-what", class: "sr-only" }, NET_SENTENCE),
      ),
      h("p", { id: "build-why", class: "build-why" }),
      h(
        "div",
        { class: "share", role: "toolbar", "aria-label": "Share the choices" },
        h("button", { id: "save-json", type: "button", onclick: on.saveJson }, "Save JSON"),
        h("label", { class: "button", for: "load-json" }, "Load JSON"),
        h("input", {
          id: "load-json",
          type: "file",
          accept: ".json,application/json",
          class: "sr-only",
          onchange: (e) => on.loadJson((e.target as HTMLInputElement).files?.[0]),
        }),
        h("button", { id: "copy-link", type: "button", onclick: on.copyLink }, "Copy link"),
        h("button", { id: "defaults", type: "button", onclick: on.defaults }, "Defaults"),
      ),
    ),
    h("div", { id: "link-notice", class: "notice", role: "alert", hidden: true }),
    h("p", { id: "general-problems", class: "error general", "aria-live": "polite" }),
    h("p", { id: "stale", class: "stale", "aria-live": "polite" }),
    h(
      "main",
      { class: "layout" },
      h("div", { class: "left", id: "left" }),
      h(
        "div",
        { class: "right" },
        h(
          "div",
          { class: "pair" },
          h(
            "section",
            { class: "card", id: "build-card", "aria-labelledby": "build-h" },
            h("h2", { id: "build-h", tabindex: "-1" }, "Build ", h("span", { id: "build-total", class: "muted" })),
            h("ol", { id: "steps", class: "steps" }),
            h("p", { id: "build-error", class: "error", "aria-live": "polite" }),
          ),
          h(
            "section",
            { class: "card", id: "boot-card", "aria-labelledby": "boot-h" },
            h("h2", { id: "boot-h" }, "Boot chain"),
            h(
              "ol",
              { id: "milestones", class: "milestones", "aria-label": "Boot chain milestones" },
              ...MILESTONES.map((m) =>
                h(
                  "li",
                  { "data-id": m.id, "data-state": "pending" },
                  h("span", { class: "mark", "aria-hidden": "true" }),
                  h("span", { class: "mtitle" }, m.title),
                  h("span", { class: "sr-only mstate" }, "(pending)"),
                  h("span", { class: "mtime", "aria-hidden": "true" }),
                ),
              ),
            ),
            h("div", { id: "verdict", class: "verdict", "aria-live": "polite", "data-ok": "" }),
            h("p", { id: "boot-hint", class: "boot-hint", hidden: true }),
            h("table", { id: "checks", class: "checks", hidden: true }),
          ),
        ),
        parts.chain.el,
        h(
          "section",
          { class: "card", id: "machine-card", "aria-labelledby": "machine-h" },
          // The status is announced (short phase messages only); the running clock beside it is not.
          h(
            "h2",
            { id: "machine-h" },
            "The PC ",
            h("span", { id: "machine-status", class: "muted", role: "status" }, "not running"),
            h("span", { id: "machine-clock", class: "muted", "aria-hidden": "true" }),
          ),
          h(
            "div",
            { class: "machine" },
            parts.screen.bar,
            parts.screen.screen,
            h(
              "p",
              { id: "screen-hint", class: "hint" },
              `Click or tap the screen to type on the PC: it then takes every key, Esc, Tab and Ctrl ones too. ${RELEASE_KEYS} (or Release keyboard) gives the keyboard back to the page.`,
            ),
            h(
              "div",
              { class: "serial" },
              h("h3", {}, "Serial console (COM1, ttyS0)"),
              // column-reverse keeps the newest line in view without reading the layout after each update.
              // Not live: a screen reader would read out the whole kernel log; the verdict is announced instead.
              h(
                "div",
                {
                  id: "serial-out",
                  class: "term",
                  role: "log",
                  "aria-live": "off",
                  "aria-label": "Serial console output",
                  tabindex: "0",
                },
                h("pre", { id: "serial-text" }),
              ),
              h(
                "form",
                {
                  id: "serial-form",
                  class: "serial-input",
                  onsubmit: (e) => {
                    e.preventDefault();
                    on.serialLine();
                  },
                },
                h("label", { for: "serial-in", class: "prompt" }, "$"),
                h("input", {
                  id: "serial-in",
                  type: "text",
                  autocomplete: "off",
                  spellcheck: "false",
                  disabled: true,
                  placeholder: "a command for the guest's shell: Enter sends it, Tab completes it",
                  "aria-label": "Command for the serial console (Tab completes a started line)",
                  onkeydown: (e) => on.serialKey(e as KeyboardEvent),
                }),
                h("button", { type: "submit", id: "serial-send", disabled: true }, "Send"),
                h("button", { type: "button", id: "serial-ctrlc", disabled: true, onclick: on.ctrlC }, "Ctrl-C"),
              ),
            ),
          ),
        ),
        h(
          "section",
          { class: "card", id: "results-card", "aria-labelledby": "results-h" },
          h("h2", { id: "results-h" }, "Results"),
          h(
            "div",
            { id: "results" },
            h("p", { class: "muted" }, "Build to see the images, the generated files and their listings."),
          ),
        ),
      ),
    ),
  ];
}
