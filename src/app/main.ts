/// <reference types="vite/client" />
// looproot in the browser: the HOWTO's choices, "Build and boot" (the build in a worker, the boot
// in v86 on this page), the boot chain's milestones with the verdict, and the results to take away.

import { LooprootError, ErrorCode, asLooprootError } from "../errors.ts";
import wasmUrl from "v86/build/v86.wasm?url";
import { BUILD_STEPS as CORE_BUILD_STEPS } from "../steps.ts";
import { defaultConfig, type LooprootConfig } from "../config.ts";
import { validateConfig, floppyKindsForKernel, type Problem, type GuestFacts } from "../validate.ts";
import type { ErrorJSON } from "../errors.ts";
import { autoexecBat, loadlinParams, quietArg } from "../howto/bootfloppy.ts";
import { MILESTONES } from "../../emulator/milestones.ts";
import { bootAndVerify, type BootResult, type HarnessEvent } from "../../emulator/harness.ts";
import { startV86Browser, type BrowserEngine } from "../../emulator/v86-browser.ts";
import { ChoicesForm } from "./form.ts";
import { configToHash, configToJson, readConfigFile, readLink } from "./share.ts";
import { httpFetcher } from "./ingredients.ts";
import { APP_BIOS_FILES } from "./assets.ts";
import { TextTerminal } from "./term.ts";
import { reportLine } from "../howto/protocol.ts";
import { ScreenConsole, RELEASE_KEYS } from "./screen.ts";
import { Keep } from "./keep.ts";
import { OpenImages } from "./open.ts";
import { SeeInside } from "./seeinside.ts";
import { ChainDiagram } from "./diagram.ts";
import { h, $, fmtBytes, fmtMs, fmtSize, download } from "./dom.ts";
import { fromWire, type BuildOutput, type WorkerMessage, type FatListing, type TreeRow, type InspectRequest, type InspectReply } from "./protocol.ts";
import { pack, unpack } from "./pieces.ts";
import { fieldName, inWords, ALL_FIELDS } from "./fields.ts";
import { hintFor } from "../howto/hints.ts";
import { wantsAutostart, bootVerdict, problemVerdict, publishVerdict, clearVerdict } from "./contract.ts";
import { safeText } from "../util/safe.ts";

const ALL_PATHS = new Set(ALL_FIELDS.map((f) => f.path));

type Phase = "idle" | "building" | "built" | "booting" | "verified" | "restored" | "failed" | "stopped" | "error";

/** The same machine in QEMU: its RAM, the two images, boot from A:, the serial console on the terminal. */
/** What the "Network" choice gives the guest (emulator/net.ts), said beside it. */
const NET_SENTENCE = "Network (from the next boot): a network card and an address by DHCP from v86's own network, which carries the guest's web requests (HTTP, port 80) through this page's fetch(): this page's server is http://PORT.external/ (PORT: the page's port), other sites only where they allow cross-origin requests; no other protocols. Needs a kernel with networking (the distribution kernel).";
const qemuLine = (memoryMiB: number) => `qemu-system-i386 -m ${memoryMiB} -fda floppy.img -hda disk.img -boot a -serial stdio`;
/** The page's steps: fetching the ingredients, then the build's own (src/build.ts). */
const BUILD_STEPS: { id: string; section: string; title: string }[] = [
  { id: "fetch", section: "3.1", title: "Fetch the ingredients" },
  ...CORE_BUILD_STEPS.map(({ id, section, title }) => ({ id, section, title })),
];

const state = {
  phase: "idle" as Phase,
  problems: [] as Problem[],
  buildProblems: [] as Problem[],
  /** The uploads stay Files: the worker reads them, never this thread. */
  rootArchive: undefined as { name: string; file: File } | undefined,
  /** What the worker's read of the root tarball said, and for which root settings. */
  rootRead: undefined as { forRoot: string; problem: string; entries?: number } | undefined,
  dosFloppy: undefined as { name: string; file: File; fileBytes: number[] } | undefined,
  dosProblem: "",
  /** Sizes of the guest binaries, from the worker, for the checks that need them. */
  facts: undefined as GuestFacts | undefined,
  /** The build that booted used the uploaded DOS. */
  builtOwnDos: false,
  output: undefined as BuildOutput | undefined,
  builtConfig: undefined as LooprootConfig | undefined,
  engine: undefined as BrowserEngine | undefined,
  bootRun: 0,
  buildId: 0,
  result: undefined as BootResult | undefined,
  /** The images the last boot started from (built, or a kept disk resumed). */
  booted: undefined as { floppy: Uint8Array; disk: Uint8Array } | undefined,
};

let form: ChoicesForm;
let keep: Keep;
let see: SeeInside;
let worker: Worker | undefined;
/**
 * The harness's own lines are not the user's: its shell probe (protocol.ts's SHELL_PROBE, echoed
 * and answered) and the tagged commands of runShellCommand (harness.ts: sync before a download).
 */
const HARNESS_LINES = new RegExp(`${reportLine("shell")} |__LR\\d+_`);
const term = new TextTerminal(2000, HARNESS_LINES);
// After the host key the focus goes on to the serial console's line (or its output while off).
const screenConsole = new ScreenConsole({ engine: () => state.engine, after: () => ($("#serial-in") as HTMLInputElement).disabled ? $("#serial-out") : $("#serial-in") });
const chain = new ChainDiagram();
let biosCache: { bios: Uint8Array; vgaBios: Uint8Array } | undefined;

// ---------------------------------------------------------------------------------------------
// Page skeleton

function skeleton(): void {
  const app = $("#app");
  app.append(
    h("header", { class: "top" },
      h("div", { class: "title" },
        h("h1", {}, "looproot"),
        h("p", {}, "Section 3 of the Loopback Root Filesystem HOWTO: Linux whose root filesystem is a file on a DOS partition, built in this tab and booted in an emulated PC."),
      ),
      h("div", { class: "actions", role: "toolbar", "aria-label": "Build and machine" },
        h("button", { id: "build", class: "primary", type: "button", onclick: () => void buildAndBoot() }, "Build and boot"),
        h("button", { id: "stop", type: "button", disabled: true, onclick: () => void stopByUser() }, "Stop"),
        h("button", { id: "reset", type: "button", disabled: true, onclick: () => void resetMachine() }, "Reset"),
        h("label", { class: "net-choice", title: NET_SENTENCE }, h("input", { id: "net", type: "checkbox", "aria-describedby": "net-what" }), " Network"),
        h("span", { id: "net-what", class: "sr-only" }, NET_SENTENCE),
      ),
      h("p", { id: "build-why", class: "build-why" }),
      h("div", { class: "share", role: "toolbar", "aria-label": "Share the choices" },
        h("button", { id: "save-json", type: "button", onclick: () => download("looproot-config.json", configToJson(form.getConfig()), "application/json") }, "Save JSON"),
        h("label", { class: "button", for: "load-json" }, "Load JSON"),
        h("input", { id: "load-json", type: "file", accept: ".json,application/json", class: "sr-only", onchange: (e) => void loadJson((e.target as HTMLInputElement).files?.[0]) }),
        h("button", { id: "copy-link", type: "button", onclick: () => void copyLink() }, "Copy link"),
        h("button", { id: "defaults", type: "button", onclick: () => form.setConfig(defaultConfig()) }, "Defaults"),
      ),
    ),
    h("div", { id: "link-notice", class: "notice", role: "alert", hidden: true }),
    h("p", { id: "general-problems", class: "error general", "aria-live": "polite" }),
    h("p", { id: "stale", class: "stale", "aria-live": "polite" }),
    h("main", { class: "layout" },
      h("div", { class: "left", id: "left" }),
      h("div", { class: "right" },
        h("div", { class: "pair" },
        h("section", { class: "card", id: "build-card", "aria-labelledby": "build-h" },
          h("h2", { id: "build-h", tabindex: "-1" }, "Build ", h("span", { id: "build-total", class: "muted" })),
          h("ol", { id: "steps", class: "steps" }),
          h("p", { id: "build-error", class: "error", "aria-live": "polite" }),
        ),
        h("section", { class: "card", id: "boot-card", "aria-labelledby": "boot-h" },
          h("h2", { id: "boot-h" }, "Boot chain"),
          h("ol", { id: "milestones", class: "milestones", "aria-label": "Boot chain milestones" }, ...MILESTONES.map((m) => h("li", { "data-id": m.id, "data-state": "pending" }, h("span", { class: "mark", "aria-hidden": "true" }), h("span", { class: "mtitle" }, m.title), h("span", { class: "sr-only mstate" }, "(pending)"), h("span", { class: "mtime", "aria-hidden": "true" })))),
          h("div", { id: "verdict", class: "verdict", "aria-live": "polite", "data-ok": "" }),
          h("p", { id: "boot-hint", class: "boot-hint", hidden: true }),
          h("table", { id: "checks", class: "checks", hidden: true }),
        ),
        ),
        chain.el,
        h("section", { class: "card", id: "machine-card", "aria-labelledby": "machine-h" },
          // The status is announced (short phase messages only); the running clock beside it is not.
          h("h2", { id: "machine-h" }, "The PC ", h("span", { id: "machine-status", class: "muted", role: "status" }, "not running"), h("span", { id: "machine-clock", class: "muted", "aria-hidden": "true" })),
          h("div", { class: "machine" },
            screenConsole.bar,
            screenConsole.screen,
            h("p", { id: "screen-hint", class: "hint" }, `Click or tap the screen to type on the PC: it then takes every key, Esc, Tab and Ctrl ones too. ${RELEASE_KEYS} (or Release keyboard) gives the keyboard back to the page.`),
            h("div", { class: "serial" },
              h("h3", {}, "Serial console (COM1, ttyS0)"),
              // column-reverse keeps the newest line in view without reading the layout after each update.
              // Not live: a screen reader would read out the whole kernel log; the verdict is announced instead.
              h("div", { id: "serial-out", class: "term", role: "log", "aria-live": "off", "aria-label": "Serial console output", tabindex: "0" }, h("pre", { id: "serial-text" })),
              h("form", { id: "serial-form", class: "serial-input", onsubmit: (e) => { e.preventDefault(); sendSerialLine(); } },
                h("label", { for: "serial-in", class: "prompt" }, "$"),
                h("input", { id: "serial-in", type: "text", autocomplete: "off", spellcheck: "false", disabled: true, placeholder: "a command for the guest's shell: Enter sends it, Tab completes it", "aria-label": "Command for the serial console (Tab completes a started line)", onkeydown: (e) => serialKey(e as KeyboardEvent) }),
                h("button", { type: "submit", id: "serial-send", disabled: true }, "Send"),
                h("button", { type: "button", id: "serial-ctrlc", disabled: true, onclick: () => state.engine?.sendSerial("\x03") }, "Ctrl-C"),
              ),
            ),
          ),
        ),
        h("section", { class: "card", id: "results-card", "aria-labelledby": "results-h" },
          h("h2", { id: "results-h" }, "Results"),
          h("div", { id: "results" }, h("p", { class: "muted" }, "Build to see the images, the generated files and their listings.")),
        ),
      ),
    ),
  );
  keep = new Keep({
    engine: () => state.engine,
    config: () => state.builtConfig,
    images: () => state.booted,
    stop: () => stopMachine("shut down by the guest"),
    boot: async (images, config) => {
      await stopMachine();
      state.builtConfig = config;
      resetBootView();
      see.setKept(images, keep.store.baseImages());
      await boot(images, true);
    },
    build: async (config) => {
      resetSteps();
      const o = await runBuild(config);
      state.output = o;
      renderResults(o);
      return o;
    },
    restore: (images, config, st, serial) => restoreMachine(images, config, st, serial),
    serialText: () => term.text(),
    reboot: () => resetMachine(),
  });
  $("#machine-card").append(keep.el);
  const opener = new OpenImages({
    // A fresh worker per pair: a hostile image keeps only that one busy, and it ends with the read.
    read: (floppy, disk) => {
      const done = <T>(v: T) => (endReader("images"), v);
      return askWorker({ type: "read-images", floppy, disk, names: { floppy: floppy.name, disk: disk.name } }, "images-read", freshReader("images")).then((r) => done({ ...r, disk: unpack(r.disk) }), (e) => Promise.reject(done(e)));
    },
    boot: async (o) => {
      await keep.beforeDiscard("the opened images boot");
      await stopMachine();
      state.builtConfig = o.config;
      see.setImages({ floppy: o.floppy, disk: o.disk }, o.see, "the opened images");
      // The results pane describes a build; it must not go on listing one that is not booted.
      $("#results").replaceChildren(h("p", { class: "muted", id: "results-opened" },
        `Booted the opened images (root ${o.rootFile}, swap ${o.swapFile}); they were not built here, so there is nothing to list. Build to see a build's images and files.`));
      await boot({ floppy: o.floppy, disk: o.disk });
    },
  });
  $("#machine-card").append(opener.el);
  see = new SeeInside({
    // The images are copied once, as pieces (the zero ones skipped), sent to a worker of their own and back.
    ask: async (images, base) => {
      const done = <T>(v: T) => (endReader("see"), v);
      const floppy = images.floppy?.slice();
      const disk = images.disk ? pack(images.disk) : undefined;
      const transfer = [...(floppy ? [floppy.buffer as ArrayBuffer] : []), ...(disk?.transfer ?? [])];
      const r = await askWorker({ type: "see", ...(floppy ? { floppy } : {}), ...(disk ? { disk: disk.packed } : {}), ...(base ? { base } : {}) }, "seen", freshReader("see"), transfer).then(done, (e) => Promise.reject(done(e)));
      return { report: r.report, ...(r.diff ? { diff: r.diff } : {}), images: { floppy: r.floppy, disk: r.disk && unpack(r.disk) } };
    },
    currentDisk: async () => {
      if (!state.engine?.diskImage?.()) return { disk: keep.lastDisk() };
      const synced = await keep.syncGuest();
      return { disk: state.engine?.diskImage?.() ?? keep.lastDisk(), unsynced: !synced };
    },
  });
  $("#results-card").after(see.el);
  $("#app").prepend(keep.banner);
  // The sticky choices pane starts below the sticky header, whatever height the header wraps to.
  const header = $("header.top");
  new ResizeObserver(() => document.documentElement.style.setProperty("--header-h", `${header.offsetHeight}px`)).observe(header);
}

// ---------------------------------------------------------------------------------------------
// Validation

function appProblems(config: LooprootConfig): Problem[] {
  const out: Problem[] = [];
  if (config.root.source === "tar") {
    if (!state.rootArchive) out.push({ field: "root.archive", message: "choose a tar or tar.gz file for the root, or pick the built-in busybox system", fields: ["root.source"] });
    else if (state.rootRead?.problem) out.push({ field: "root.archive", message: state.rootRead.problem });
  }
  if (state.dosProblem) out.push({ field: "dos.system", message: state.dosProblem });
  return out;
}

/** The guest facts for this config: the DOS files are the uploaded DOS's when there is one. */
function factsFor(): GuestFacts | undefined {
  if (!state.facts) return undefined;
  return state.dosFloppy ? { ...state.facts, dosFileBytes: state.dosFloppy.fileBytes } : state.facts;
}

// Every caller revalidates with the form's text problems too: a later revalidation (the guest file
// sizes arriving, an upload read) must not re-enable Build while a field still holds "abc".
function revalidate(config: LooprootConfig, parseProblems: Problem[] = form.getParseProblems()): void {
  const parsed = new Set(parseProblems.map((p) => p.field));
  const facts = factsFor();
  const problems = [...parseProblems, ...validateConfig(config, facts).filter((p) => !parsed.has(p.field)), ...appProblems(config)];
  state.problems = problems;
  const shown = [...problems, ...state.buildProblems];
  const rest = form.showProblems(shown);
  $("#general-problems").textContent = rest.map((p) => `${fieldName(p.field)}: ${inWords(p.message)}`).join("\n");
  if (facts) {
    const kernel = (facts.kernelBytes / 1024).toLocaleString("en-US", { maximumFractionDigits: 0 });
    form.setUnavailable("floppy.kind", new Map(floppyKindsForKernel(config, facts).filter((k) => !k.fits).map((k) => [k.kind, `too small for the ${kernel} KiB kernel`])));
  }
  if (config.root.source === "tar" && state.rootArchive && state.rootRead && state.rootRead.forRoot !== JSON.stringify(config.root)) readRootArchive();
  const stale = !!state.builtConfig && JSON.stringify(state.builtConfig) !== JSON.stringify(config);
  $("#stale").textContent = stale ? "Your choices changed since this build: “Build and boot again” uses them." : "";
  try {
    const lines = [autoexecBat(config)];
    if (config.boot.paramsFile) lines.push("", "LOADLIN.PAR:", loadlinParams(config));
    form.setPreview(lines.join("\n").replace(/\r/g, ""));
  } catch {
    form.setPreview("(fix the problems above to see the line)");
  }
  updateButtons();
}

/** Focuses a field's control from a link, scrolling the choices pane to it. */
function focusField(field: string): void {
  const el = form.controlOf(field) ?? document.querySelector<HTMLElement>(`[data-field="${CSS.escape(field)}"]`);
  if (!el) return;
  el.scrollIntoView({ block: "center" });
  el.focus({ preventScroll: true });
}

/** Next to the Build button: why it is off, each problem's field a link that focuses it. */
function showWhyDisabled(): void {
  const why = $("#build-why");
  if (!state.problems.length || state.phase === "building") {
    why.replaceChildren();
    return;
  }
  const fields = [...new Set(state.problems.map((p) => p.field))];
  const n = state.problems.length;
  why.replaceChildren(
    `“Build and boot” is off until ${n === 1 ? "this problem is" : `these ${n} problems are`} fixed: `,
    ...fields.flatMap((f, i) => [
      i ? ", " : "",
      h("a", { href: `#field-${f.replace(/[^A-Za-z0-9]/g, "-")}`, "data-focus": f, onclick: (e) => { e.preventDefault(); focusField(f); } }, fieldName(f)),
    ]),
    ".",
  );
}

function updateButtons(): void {
  const running = !!state.engine;
  const build = $("#build") as HTMLButtonElement;
  build.disabled = state.problems.length > 0 || state.phase === "building";
  build.title = state.problems.length ? `Fix ${state.problems.length} problem${state.problems.length > 1 ? "s" : ""} first: ${fieldName(state.problems[0].field)}: ${inWords(state.problems[0].message)}` : "";
  build.textContent = state.phase === "building" ? "Building…" : running || state.output ? "Build and boot again" : "Build and boot";
  ($("#stop") as HTMLButtonElement).disabled = !running;
  ($("#reset") as HTMLButtonElement).disabled = !(running || state.booted || state.output) || state.phase === "building";
  for (const id of ["#serial-in", "#serial-send", "#serial-ctrlc"]) ($(id) as HTMLInputElement).disabled = !running;
  keep?.update();
  document.body.dataset.phase = state.phase;
  showWhyDisabled();
}

function setPhase(p: Phase, status?: string): void {
  state.phase = p;
  if (p !== "booting") $("#machine-clock").textContent = "";
  if (status !== undefined) $("#machine-status").textContent = status;
  updateButtons();
}

// ---------------------------------------------------------------------------------------------
// Build (in the worker)

function getWorker(): Worker {
  worker ??= new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  return worker;
}

function stepRow(id: string): HTMLElement {
  return $(`#steps li[data-id="${id}"]`);
}

/** A build step's state, as the mark shows it and as text for screen readers. */
function setStep(li: HTMLElement, st: "waiting" | "running" | "done" | "failed"): void {
  li.dataset.state = st;
  li.querySelector(".sstate")!.textContent = `${st}: `;
}

function resetSteps(): void {
  const ol = $("#steps");
  ol.replaceChildren(...BUILD_STEPS.map((s) => h("li", { "data-id": s.id, "data-state": "waiting" },
    h("span", { class: "mark", "aria-hidden": "true" }),
    h("span", { class: "sr-only sstate" }, "waiting: "),
    h("span", { class: "secno" }, s.section),
    h("span", { class: "stitle" }, s.title),
    h("span", { class: "ssize" }),
    h("span", { class: "stime" }),
    h("span", { class: "sdetail" }),
  )));
  setStep(stepRow("fetch"), "running");
  $("#build-total").textContent = "";
  $("#build-error").textContent = "";
}

function markStep(id: string, title: string | undefined, bytes: number, ms: number, detail: string): void {
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

function runBuild(config: LooprootConfig): Promise<BuildOutput> {
  const id = ++state.buildId;
  const w = getWorker();
  return new Promise((resolve, reject) => {
    const onMessage = (ev: MessageEvent<WorkerMessage>) => {
      const m = ev.data;
      if (m.id !== id) return;
      if (m.type === "fetched") markStep("fetch", undefined, m.bytes, m.ms, m.detail);
      else if (m.type === "step") markStep(m.step.id, `${m.step.title}`, m.step.bytes, m.step.ms, m.step.detail);
      else if (m.type === "done" || m.type === "error") {
        w.removeEventListener("message", onMessage);
        if (m.type === "done") resolve(fromWire(m.output));
        else {
          const running = $("#steps").querySelector<HTMLElement>('li[data-state="running"]');
          if (running) setStep(running, "failed");
          reject(Object.assign(LooprootError.fromJSON(m.error), { stage: m.stage }));
        }
      }
    };
    w.addEventListener("message", onMessage);
    // A worker that cannot even start (script failed to load) reports here, not by message.
    const onError = (ev: ErrorEvent) => {
      w.removeEventListener("message", onMessage);
      worker = undefined;
      reject(Object.assign(new LooprootError(ErrorCode.Bug, ev.message || "the build worker failed to start"), { stage: "worker" }));
    };
    w.addEventListener("error", onError, { once: true });
    w.postMessage({
      type: "build",
      id,
      base: document.baseURI,
      config,
      rootArchive: config.root.source === "tar" ? state.rootArchive?.file : undefined,
      dosFloppy: state.dosFloppy?.file,
    });
  });
}

async function buildAndBoot(): Promise<void> {
  const config = form.getConfig();
  revalidate(config);
  if (state.phase === "building") return;
  if (state.problems.length) return publishVerdict(problemVerdict("validate", "the config has problems", state.problems));
  clearVerdict();
  // Build turns off while it runs: its focus goes to the progress, not to the page's <body>.
  const hadFocus = document.activeElement === $("#build");
  // The phase changes at once, before anything is awaited: the page never shows the old verdict as current.
  setPhase("building", "stopping");
  if (hadFocus) $("#build-h").focus({ preventScroll: true });
  // A disk the guest has changed is never thrown away silently.
  await keep.beforeDiscard();
  await stopMachine();
  state.buildProblems = [];
  state.output = undefined;
  state.result = undefined;
  resetSteps();
  resetBootView();
  setPhase("building", "waiting for the build");
  // On a narrow screen the progress is far below the button: bring it into view.
  const card = $("#build-card").getBoundingClientRect();
  if (card.top < 0 || card.top > innerHeight - 80) $("#build-card").scrollIntoView({ block: "start", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
  const t0 = performance.now();
  let output: BuildOutput;
  try {
    output = await runBuild(config);
  } catch (e) {
    const err = asLooprootError(e) as LooprootError & { stage?: string };
    state.buildProblems = err.isUserError ? err.problems : [];
    $("#build-error").textContent = safeText(err.code === ErrorCode.Bug
      ? `The build stopped (${err.stage ?? "build"}): this is a bug in looproot, please report it: ${err.message}`
      : err.problems.length ? `The build stopped: ${err.problems.map((p) => `${p.field}: ${p.message}`).join("; ")}` : `The build stopped (${err.stage ?? "build"}): ${err.message}`, 2000);
    publishVerdict(problemVerdict("build", $("#build-error").textContent ?? "", err.problems));
    setPhase("error", "not running");
    revalidate(form.getConfig());
    return;
  }
  $("#build-total").textContent = `${fmtMs(performance.now() - t0)} in all`;
  state.output = output;
  state.builtConfig = config;
  state.builtOwnDos = !!state.dosFloppy;
  revalidate(form.getConfig());
  renderResults(output);
  see.setImages({ floppy: output.floppy, disk: output.disk }, output.see, "the images just built");
  setPhase("built");
  await boot();
}

// ---------------------------------------------------------------------------------------------
// Boot (v86 on this page) and the harness's verdict

async function biosFiles(): Promise<{ bios: Uint8Array; vgaBios: Uint8Array }> {
  if (!biosCache) {
    const get = httpFetcher(document.baseURI);
    const [bios, vgaBios] = await Promise.all([get(APP_BIOS_FILES.bios), get(APP_BIOS_FILES.vgaBios)]);
    biosCache = { bios, vgaBios };
  }
  return biosCache;
}

/** A milestone's state, as the dot shows it and as text for screen readers. */
function setMilestone(li: HTMLElement, st: "pending" | "reached" | "failed", at: string, why = ""): void {
  li.dataset.state = st;
  li.querySelector(".mtime")!.textContent = at;
  li.querySelector(".mstate")!.textContent = st === "pending" ? "(pending)" : st === "reached" ? `(reached at ${at})` : `(failed at ${at}${why ? `: ${why}` : ""})`;
}

function resetBootView(): void {
  for (const li of Array.from($("#milestones").querySelectorAll<HTMLElement>("li"))) {
    setMilestone(li, "pending", "");
    (li.querySelector(".mtitle") as HTMLElement).title = "";
  }
  const v = $("#verdict");
  v.textContent = "";
  v.dataset.ok = "";
  const t = $("#checks") as HTMLTableElement;
  t.hidden = true;
  t.replaceChildren();
  showHint(undefined);
  chain.reset();
  term.clear();
  $("#serial-text").replaceChildren();
}

/** The serial console view: one text node per batch of completed lines, then the line being written. */
const SERIAL_VIEW_MS = 60;
const SERIAL_MAX_CHUNKS = 300;
let serialTimer: ReturnType<typeof setTimeout> | undefined;
function showSerial(): void {
  // Redrawn at most every SERIAL_VIEW_MS and only by appending, so a chatty guest costs little layout.
  serialTimer ??= setTimeout(() => {
    serialTimer = undefined;
    const pre = $("#serial-text");
    const d = term.drain();
    let current = pre.lastChild as HTMLElement | null;
    if (d.reset || !current || current.nodeName !== "SPAN") {
      pre.replaceChildren();
      current = h("span", { class: "current" });
      pre.append(current);
    }
    if (d.complete) pre.insertBefore(document.createTextNode(d.complete), current);
    while (pre.childNodes.length > SERIAL_MAX_CHUNKS) pre.firstChild!.remove();
    current.textContent = d.current;
  }, SERIAL_VIEW_MS);
}

async function boot(images: { floppy: Uint8Array; disk: Uint8Array } | undefined = state.output, resumed = false): Promise<void> {
  const output = images;
  const config = state.builtConfig;
  if (!output || !config) return;
  const run = ++state.bootRun;
  resetBootView();
  setPhase("booting", "starting");
  let engine: BrowserEngine;
  try {
    const bios = await biosFiles();
    engine = await startV86Browser({
      floppy: output.floppy,
      disk: output.disk,
      memoryMiB: config.machine.memoryMiB,
      net: ($("#net") as HTMLInputElement).checked,
      ...bios,
      wasmPath: new URL(wasmUrl, document.baseURI).href,
      screen: $("#screen"),
    });
  } catch (e) {
    $("#verdict").textContent = `The emulator did not start: ${(e as Error).message}`;
    $("#verdict").dataset.ok = "false";
    publishVerdict(problemVerdict("emulator", $("#verdict").textContent));
    setPhase("error", "not running");
    return;
  }
  if (run !== state.bootRun) {
    await engine.stop();
    return;
  }
  state.engine = engine;
  state.booted = { floppy: output.floppy, disk: output.disk };
  // What each step reads, from this floppy (in a worker of its own: it may be a user's).
  chain.begin(askWorker({ type: "chain", floppy: output.floppy.slice(), config }, "chain", freshReader("chain")).then((r) => r.facts).finally(() => endReader("chain")), quietArg(config));
  keep.started(output.floppy, output.disk, config, resumed);
  screenConsole.attached(engine);
  setPhase("booting", "booting");
  const started = performance.now();
  let stage = "booting";
  const tick = setInterval(() => {
    if (run !== state.bootRun || state.phase !== "booting") return clearInterval(tick);
    $("#machine-clock").textContent = ` · ${stage}, ${((performance.now() - started) / 1000).toFixed(0)} s`;
  }, 500);
  engine.onSerial((t) => {
    term.write(t);
    showSerial();
  });
  const onEvent = (e: HarnessEvent) => {
    if (run !== state.bootRun) return;
    chain.event(e);
    if (e.type === "milestone") {
      const li = $(`#milestones li[data-id="${e.milestone.id}"]`);
      setMilestone(li, "reached", `${(e.milestone.atMs / 1000).toFixed(1)} s`);
      (li.querySelector(".mtitle") as HTMLElement).title = e.milestone.evidence;
      stage = e.milestone.title;
    } else if (e.type === "failure") {
      const li = $(`#milestones li[data-id="${e.failure.stage}"]`);
      setMilestone(li, "failed", `${(e.failure.atMs / 1000).toFixed(1)} s`, e.failure.title);
      (li.querySelector(".mtitle") as HTMLElement).title = e.failure.evidence;
    } else if (e.type === "verdict") {
      showVerdict(e.result);
    }
  };
  try {
    const result = await bootAndVerify(engine, config, { onEvent, stopAtEnd: false, timeoutS: 300 });
    if (run !== state.bootRun) return;
    state.result = result;
    // From here on the disk's changes are the user's (keep.ts's settled says why not before).
    void keep.settled();
    publishVerdict(bootVerdict(result, config.machine.memoryMiB));
    setPhase(result.ok ? "verified" : "failed", result.ok ? "running: the loop root is up, the shell is yours" : "running (the boot did not verify)");
    // The shell is the user's now: the PC comes into view with the serial console's line focused,
    // unless the user is busy in the choices or already typing on the screen.
    if (result.ok && !document.activeElement?.closest("#choices, #screen")) {
      $("#machine-card").scrollIntoView({ block: "start", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
      ($("#serial-in") as HTMLInputElement).focus({ preventScroll: true });
    }
  } catch (e) {
    if (run !== state.bootRun) return;
    $("#verdict").textContent = `The boot harness stopped: ${(e as Error).message}`;
    $("#verdict").dataset.ok = "false";
    publishVerdict(problemVerdict("emulator", $("#verdict").textContent));
    setPhase("failed");
  }
}

/** A machine put into a saved state (keep.ts's snapshots): no boot to watch, the shell is where it was. */
async function restoreMachine(images: { floppy: Uint8Array; disk: Uint8Array }, config: LooprootConfig, snapshot: ArrayBuffer, serial = ""): Promise<void> {
  await stopMachine();
  const run = ++state.bootRun;
  state.builtConfig = config;
  resetBootView();
  setPhase("booting", "restoring the snapshot");
  const engine = await startV86Browser({
    floppy: images.floppy,
    disk: images.disk,
    memoryMiB: config.machine.memoryMiB,
    ...(await biosFiles()),
    wasmPath: new URL(wasmUrl, document.baseURI).href,
    screen: $("#screen"),
  });
  try {
    await engine.restoreState(snapshot);
  } catch (e) {
    await engine.stop();
    setPhase("error", "not running");
    throw e;
  }
  if (run !== state.bootRun) return void (await engine.stop());
  // The console as it was when the snapshot was taken (kept in its header), then what comes next.
  term.write(serial);
  showSerial();
  // See inside reads the images the snapshot runs on (built here when the page had none).
  if (state.output?.floppy === images.floppy && state.output.disk === images.disk) see.setImages({ floppy: images.floppy, disk: images.disk }, state.output.see, "the snapshot's images");
  else see.setKept(images, images);
  engine.onSerial((t) => {
    term.write(t);
    showSerial();
  });
  state.engine = engine;
  state.booted = images;
  screenConsole.attached(engine);
  keep.started(images.floppy, images.disk, config, false, true);
  $("#verdict").textContent = "Restored from a machine snapshot: the PC goes on where the snapshot left it.";
  chain.restored();
  setPhase("restored", "running: restored from the snapshot");
}

/** Under a failed verdict: what to try, with links to the choices that most likely caused it. */
function showHint(failure: BootResult["failure"]): void {
  const el = $("#boot-hint");
  const hint = failure && hintFor(failure, { ownDos: state.builtOwnDos, ownRoot: state.builtConfig?.root.source === "tar" });
  el.hidden = !hint;
  if (!hint) return el.replaceChildren();
  el.replaceChildren(
    h("strong", {}, "What to try: "), hint.sentence, " ",
    h("span", { class: "muted" }, "Look at "),
    ...hint.fields.flatMap((f, i) => [i ? ", " : "", h("a", { href: `#field-${f.replace(/[^A-Za-z0-9]/g, "-")}`, "data-focus": f, onclick: (e) => { e.preventDefault(); focusField(f); } }, fieldName(f))]),
    ".",
  );
}

function showVerdict(r: BootResult): void {
  const v = $("#verdict");
  v.dataset.ok = String(r.ok);
  v.replaceChildren(h("strong", {}, r.ok ? "Verified: " : "Not verified: "), r.summary);
  showHint(r.ok ? undefined : r.failure);
  const t = $("#checks") as HTMLTableElement;
  t.replaceChildren(
    h("caption", {}, "What the guest reported, checked against the choices"),
    h("colgroup", {}, h("col", { class: "c-mark" }), h("col", {}), h("col", {}), h("col", {})),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), h("th", { scope: "col" }, "check"), h("th", { scope: "col" }, "expected"), h("th", { scope: "col" }, "reported"))),
    h("tbody", {}, ...r.checks.map((c) => h("tr", { "data-ok": String(c.ok) }, h("td", {}, c.ok ? "✓" : "✗"), h("td", {}, c.what), h("td", {}, c.expected), h("td", {}, c.got)))),
  );
  t.hidden = r.checks.length === 0;
}

async function stopMachine(why?: string): Promise<void> {
  state.bootRun++;
  const e = state.engine;
  state.engine = undefined;
  keep?.ended();
  if (e) await e.stop();
  chain.stopped();
  if (why) {
    const v = $("#verdict");
    if (!v.dataset.ok) v.textContent = `Stopped before the verdict (${why}).`;
    setPhase("stopped", "stopped");
  }
  updateButtons();
}

/** Stop: the machine halts at once, then its disk, if the guest changed it, is kept (keep.ts's rule). */
async function stopByUser(): Promise<void> {
  const disk = state.engine?.diskImage?.();
  await stopMachine("stopped by you");
  if (disk) await keep.beforeDiscard("the stop", disk);
}

/**
 * The PC's reset button: the machine starts again from the floppy with its disk as the guest left
 * it (kept first, by keep.ts's rule), as a real reset would.
 */
async function resetMachine(): Promise<void> {
  const booted = state.booted;
  if (!booted) return void (await boot(state.output));
  const running = state.engine?.diskImage?.();
  await stopMachine();
  if (running) await keep.beforeDiscard("the reset", running);
  await boot({ floppy: booted.floppy, disk: running ?? keep.lastDisk() ?? booted.disk }, true);
}

/**
 * Tab on a started line completes it as a terminal would: the line so far and a Tab go to the
 * guest's shell, which then holds the line (its echo shows the completion); typing goes on from
 * there and Enter ends it. Tab on an empty line moves the focus on, as everywhere on the page.
 */
function serialKey(e: KeyboardEvent): void {
  const input = e.target as HTMLInputElement;
  if (e.key !== "Tab" || e.shiftKey || e.ctrlKey || e.altKey || !input.value || !state.engine) return;
  e.preventDefault();
  state.engine.sendSerial(input.value + "\t");
  input.value = "";
}

function sendSerialLine(): void {
  const input = $("#serial-in") as HTMLInputElement;
  if (!state.engine) return;
  state.engine.sendSerial(input.value + "\n");
  input.value = "";
}

// ---------------------------------------------------------------------------------------------
// Results: downloads, texts, listings

const attrString = (a: number) => ["R", "H", "S", "V", "D", "A"].map((c, i) => (a & (1 << i) ? c : "-")).join("");

function fatTable(l: FatListing): HTMLElement {
  return h("div", {},
    h("p", {}, `FAT${l.fatType}, label ${l.label ?? "(none)"}, OEM name ${l.oemName}, ${l.clusters.toLocaleString("en-US")} clusters of ${l.bytesPerCluster} bytes`),
    h("table", { class: "listing" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "path"), h("th", { scope: "col" }, "size"), h("th", { scope: "col" }, "attributes"), h("th", { scope: "col" }, "date (UTC)"))),
      h("tbody", {}, ...l.rows.map((r) => h("tr", {}, h("td", {}, r.path), h("td", { class: "num" }, r.attributes & 0x10 ? "<DIR>" : r.size.toLocaleString("en-US")), h("td", {}, attrString(r.attributes)), h("td", {}, new Date(r.mtime * 1000).toISOString().slice(0, 16).replace("T", " "))))),
    ),
  );
}

function modeString(r: TreeRow): string {
  const t = { dir: "d", symlink: "l", chardev: "c", blockdev: "b", fifo: "p", socket: "s", file: "-", hardlink: "-" }[r.kind] ?? "?";
  let s = t;
  for (let i = 2; i >= 0; i--) {
    const b = (r.mode >> (i * 3)) & 7;
    s += (b & 4 ? "r" : "-") + (b & 2 ? "w" : "-") + (b & 1 ? "x" : "-");
  }
  return s;
}

function treeListing(rows: TreeRow[]): HTMLElement {
  const lines = rows.map((r) => {
    const size = r.kind === "chardev" || r.kind === "blockdev" ? r.extra.replace(",", ", ") : r.size.toLocaleString("en-US");
    const tail = r.kind === "symlink" ? ` -> ${r.extra}` : r.kind === "hardlink" ? ` link to ${r.extra}` : "";
    return `${modeString(r)} ${size.padStart(10)}  ${r.path}${tail}`;
  });
  return h("pre", { class: "listing-pre" }, `${rows.length} entries\n` + lines.join("\n"));
}

function renderResults(o: BuildOutput): void {
  const qemu = qemuLine(state.builtConfig?.machine.memoryMiB ?? 64);
  const downloads = h("ul", { class: "downloads", id: "downloads" }, ...o.files.map((f) => h("li", {},
    h("button", { type: "button", "data-file": f.name, onclick: () => download(f.name, f.data) }, "Download ", h("code", {}, f.name)),
    h("span", { class: "size" }, fmtBytes(f.data.length)),
    h("span", { class: "muted" }, f.description),
  )));
  const texts: [string, string][] = [
    ["AUTOEXEC.BAT (the floppy, 3.7)", o.texts.autoexecBat.replace(/\r/g, "")],
    ["/linuxrc (the initial ramdisk, 3.3)", o.texts.linuxrc],
    ["/etc/fstab (the root device, 3.4)", o.texts.fstab],
    [`${state.builtConfig?.root.source === "tar" ? "/sbin/looproot-init" : "/etc/init.d/rcS"} (the rc file, 3.4)`, o.texts.rc],
  ];
  if (o.texts.loadlinParams) texts.push(["LOADLIN.PAR (LOADLIN's @params file)", o.texts.loadlinParams.replace(/\r/g, "")]);
  $("#results").replaceChildren(
    h("h3", {}, "Images and intermediate files"),
    h("p", { class: "muted" }, `DOS on the floppy: ${o.dosName}; ${o.floppyFreeBytes.toLocaleString("en-US")} bytes free on it.`),
    downloads,
    h("h3", {}, "Boot these in QEMU"),
    h("div", { class: "qemu" }, h("code", { id: "qemu-line" }, qemu), h("button", { type: "button", id: "copy-qemu", onclick: () => void copyText(qemu, "#copy-qemu", "#qemu-line") }, "Copy")),
    h("h3", {}, "Generated files"),
    ...texts.map(([title, text], i) => h("details", { class: "text", open: i === 0 }, h("summary", {}, title), h("pre", {}, text))),
    h("h3", {}, "What is in each image"),
    h("details", { id: "list-floppy" }, h("summary", {}, o.listings.floppy.title), fatTable(o.listings.floppy)),
    h("details", { id: "list-partition" }, h("summary", {}, o.listings.partition.title), fatTable(o.listings.partition)),
    h("details", { id: "list-initrd" }, h("summary", {}, "The initial ramdisk (INITRDGZ.IMG, ext2)"), treeListing(o.listings.initrd)),
    h("details", { id: "list-root" }, h("summary", {}, "The root device (LINUXDSK.IMG, ext2)"), treeListing(o.listings.root)),
  );
}

// ---------------------------------------------------------------------------------------------
// Share and uploads

async function copyText(text: string, buttonSel: string, shownIn?: string): Promise<void> {
  const b = $(buttonSel);
  const old = b.textContent;
  try {
    await navigator.clipboard.writeText(text);
    b.textContent = "Copied";
  } catch {
    // No clipboard (insecure origin, denied): the text is selected where it is shown, so Ctrl-C
    // copies it; a link is in the address bar.
    const el = shownIn ? document.querySelector(shownIn) : null;
    if (el) {
      const range = document.createRange();
      range.selectNodeContents(el);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      b.textContent = "Selected: press Ctrl-C";
    } else b.textContent = "Copy it from the address bar";
  }
  setTimeout(() => (b.textContent = old), 2500);
}

async function copyLink(): Promise<void> {
  const hash = configToHash(form.getConfig());
  history.replaceState(null, "", hash || location.pathname + location.search);
  await copyText(location.href, "#copy-link");
}

async function loadJson(file: File | undefined): Promise<void> {
  if (!file) return;
  ($("#load-json") as HTMLInputElement).value = "";
  try {
    if (file.size > 1_000_000) throw new Error(`is ${fmtSize(file.size)}, larger than any looproot JSON`);
    const r = readConfigFile(await file.text());
    form.setConfig(r.config);
    $("#general-problems").textContent = "";
    showDamaged(`${file.name} (${r.kind}): some settings could not be loaded.`, "the file", { ...r, truncated: false });
  } catch (e) {
    $("#link-notice").hidden = true;
    $("#general-problems").textContent = safeText(`${file.name}: ${(e as Error).message}; nothing was loaded.`, 1000);
  }
}

function loadFromHash(): ReturnType<typeof readLink> {
  const r = readLink(location.hash);
  if (!r) return r;
  form.setConfig(r.config);
  showDamaged("This link's settings were damaged.", "the link", r);
  return r;
}

/**
 * What was wrong with settings from a link or a file, and what was kept: damaged settings never
 * turn into the defaults silently. Each dropped one is named by its field's label.
 */
function showDamaged(title: string, from: string, r: { kept: string[]; dropped: { field: string; why: string }[]; truncated: boolean }): void {
  const notice = $("#link-notice");
  if (!r.dropped.length && !r.truncated) {
    notice.hidden = true;
    return;
  }
  const name = (f: string) => (f === "config" ? "the settings as a whole" : ALL_PATHS.has(f) ? `“${fieldName(f)}” (${f})` : `“${f}”`);
  const kept = r.kept.map((f) => `“${fieldName(f)}”`);
  notice.replaceChildren(
    h("strong", {}, `${title} `),
    r.truncated ? "It was cut short: the settings after its last complete one are lost. " : "",
    ...(r.dropped.length ? [h("span", {}, `Dropped ${r.dropped.length === 1 ? "one setting" : `${r.dropped.length} settings`}: `), h("ul", {}, ...r.dropped.map((d) => h("li", { "data-dropped": d.field }, `${name(d.field)} ${d.why}`)))] : []),
    kept.length ? `Kept ${kept.length === 1 ? "one setting" : `${kept.length} settings`} from ${from}: ${kept.join(", ")}; ` : `Nothing from ${from} could be kept; `,
    "everything else is the default.",
    h("button", { type: "button", class: "dismiss", "aria-label": "Dismiss the note about the damaged settings", onclick: () => { notice.hidden = true; } }, "Dismiss"),
  );
  notice.hidden = false;
}

// The worker answers these; ids are their own sequence, replies are matched on id and type.
let inspectId = 0;
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;
function askWorker<T extends InspectReply["type"]>(req: WithoutId<InspectRequest>, want: T, w: Worker = getWorker(), transfer: Transferable[] = []): Promise<Extract<InspectReply, { type: T }>> {
  const id = ++inspectId;
  return new Promise((resolve, reject) => {
    const onMessage = (ev: MessageEvent<WorkerMessage>) => {
      const m = ev.data;
      if (m.id !== id || (m.type !== want && m.type !== "read-failed")) return;
      w.removeEventListener("message", onMessage);
      if (m.type === "read-failed") reject(LooprootError.fromJSON(m.error as ErrorJSON));
      else resolve(m as Extract<InspectReply, { type: T }>);
    };
    w.addEventListener("message", onMessage);
    w.addEventListener("error", (ev) => reject(new Error(ev.message || "the reader could not start")), { once: true });
    w.postMessage({ ...req, id }, transfer);
  });
}

/**
 * Each upload is read in a worker of its own: a hostile image can keep only that worker busy, and a
 * new choice of file ends it (the build worker and this page never wait for it).
 */
type ReaderKind = "dos" | "root" | "images" | "chain" | "see";
const readers: Partial<Record<ReaderKind, Worker>> = {};
function freshReader(kind: ReaderKind): Worker {
  readers[kind]?.terminate();
  return (readers[kind] = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" }));
}
function endReader(kind: ReaderKind): void {
  readers[kind]?.terminate();
  delete readers[kind];
}

let rootReadSeq = 0;
function readRootArchive(): void {
  const upload = state.rootArchive;
  if (!upload) return;
  const config = form.getConfig();
  const forRoot = JSON.stringify(config.root);
  const seq = ++rootReadSeq;
  state.rootRead = { forRoot, problem: "" };
  form.setStatus("root-archive", `${upload.name}: ${fmtBytes(upload.file.size)}, reading…`);
  askWorker({ type: "read-root", file: upload.file, config }, "root-read", freshReader("root")).then(
    (r) => {
      if (seq !== rootReadSeq) return;
      endReader("root");
      state.rootRead = { forRoot, problem: "", entries: r.entries };
      form.setStatus("root-archive", `${upload.name}: ${fmtBytes(r.bytes)}, ${r.entries.toLocaleString("en-US")} entries`);
      revalidate(form.getConfig());
    },
    (e: Error) => {
      if (seq !== rootReadSeq) return;
      endReader("root");
      state.rootRead = { forRoot, problem: safeText(`${upload.name}: ${e.message}`, 1000) };
      form.setStatus("root-archive", "");
      revalidate(form.getConfig());
    },
  );
}

function onRootArchive(file: File | undefined): void {
  state.rootArchive = file ? { name: file.name, file } : undefined;
  state.rootRead = undefined;
  rootReadSeq++;
  endReader("root");
  form.setStatus("root-archive", "");
  if (file) readRootArchive();
  revalidate(form.getConfig());
}

let dosReadSeq = 0;
async function onDosFloppy(file: File | undefined): Promise<void> {
  const seq = ++dosReadSeq;
  state.dosProblem = "";
  state.dosFloppy = undefined;
  form.setStatus("dos-floppy", file ? `${file.name}: reading…` : "");
  // Until the worker has read it, Build waits (the problem says so).
  if (file) state.dosProblem = `${file.name}: still being read`;
  revalidate(form.getConfig());
  if (!file) return endReader("dos");
  try {
    const dos = await askWorker({ type: "read-dos", file }, "dos-read", freshReader("dos"));
    if (seq !== dosReadSeq) return;
    endReader("dos");
    state.dosProblem = "";
    state.dosFloppy = { name: file.name, file, fileBytes: dos.files.map((f) => f.size) };
    form.setStatus("dos-floppy", `${file.name}: ${dos.name}, boot sector and ${dos.files.length} system file${dos.files.length > 1 ? "s" : ""}`);
  } catch (e) {
    if (seq !== dosReadSeq) return;
    endReader("dos");
    state.dosProblem = safeText(`${file.name}: ${(e as Error).message}`, 1000);
    form.setStatus("dos-floppy", "");
  }
  revalidate(form.getConfig());
}

async function loadFacts(): Promise<void> {
  try {
    state.facts = (await askWorker({ type: "facts", base: document.baseURI }, "facts")).facts;
    revalidate(form.getConfig());
  } catch {
    // Missing images: the build's fetch step names them; the checks that need sizes wait for it.
  }
}

// ---------------------------------------------------------------------------------------------

function main(): void {
  skeleton();
  form = new ChoicesForm(defaultConfig(), {
    onChange: (config, parse) => {
      // A changed choice makes the last build's complaints stale.
      state.buildProblems = [];
      revalidate(config, parse);
      // The address bar always carries the choices, so a bookmark or a reload keeps them.
      history.replaceState(null, "", configToHash(config) || location.pathname + location.search);
    },
    onRootArchive: (f) => onRootArchive(f),
    onDosFloppy: (f) => void onDosFloppy(f),
  });
  $("#left").append(form.el);
  resetSteps();
  setStep(stepRow("fetch"), "waiting");
  // Read before the form rewrites the address bar with the choices alone.
  const autostart = wantsAutostart(location.hash, location.search);
  const link = loadFromHash();
  window.addEventListener("hashchange", () => void loadFromHash());
  revalidate(form.getConfig());
  // The test contract (contract.ts): a damaged link is not booted as something else; a good one is.
  if (autostart) {
    const damaged = link ? [...link.dropped.map((d) => ({ field: d.field, message: d.why })), ...(link.truncated ? [{ field: "config", message: "was cut short" }] : [])] : [];
    if (damaged.length) publishVerdict(problemVerdict("link", "the link's settings were damaged", damaged));
    else void buildAndBoot();
  }
  void keep.offerResume();
  void loadFacts();
  // For the browser tests and the curious: the live state.
  (window as unknown as { looproot: unknown }).looproot = { state, form, term, keep };
}

main();
