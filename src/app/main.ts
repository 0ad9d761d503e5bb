/// <reference types="vite/client" />
// looproot in the browser: the HOWTO's choices, "Build and boot" (the build in a worker, the boot
// in v86 on this page), the boot chain's milestones with the verdict, and the results to take away.
// This file wires the parts: phase.ts (the phases and the buttons, without DOM), client.ts (the
// workers), layout.ts (the page's frame), buildsteps.ts and bootview.ts (progress and verdict),
// results.ts, uploads.ts, sharebar.ts, keep.ts (the user's disk), pcstart.ts (v86 in the page).

import { LooprootError, ErrorCode, asLooprootError } from "../errors.ts";
import { defaultConfig, type LooprootConfig } from "../config.ts";
import { validateConfig, floppyKindsForKernel, type Problem, type GuestFacts } from "../validate.ts";
import { autoexecBat, loadlinParams, quietArg } from "../howto/bootfloppy.ts";
import { bootAndVerify, type BootResult, type HarnessEvent } from "../../emulator/harness.ts";
import type { BrowserEngine } from "../../emulator/v86-browser.ts";
import { ChoicesForm } from "./form.ts";
import { configToHash, configToJson } from "./share.ts";
import { TextTerminal } from "./term.ts";
import { reportLine } from "../howto/protocol.ts";
import { ScreenConsole } from "./screen.ts";
import { pageLayout } from "./layout.ts";
import { focusField, showWhyDisabled } from "./fieldlinks.ts";
import { startPagePc } from "./pcstart.ts";
import { serialKey, sendSerialLine } from "./serialline.ts";
import { copyLink, loadJson, loadFromHash } from "./sharebar.ts";
import { Keep } from "./keep.ts";
import { OpenImages } from "./open.ts";
import { SeeInside } from "./seeinside.ts";
import { ChainDiagram } from "./diagram.ts";
import { h, $, fmtMs, download } from "./dom.ts";
import { renderResults } from "./results.ts";
import { WorkerClient, type BuildProgress, type BuildError } from "./client.ts";
import { Uploads } from "./uploads.ts";
import { BootView } from "./bootview.ts";
import { stepRow, setStep, resetSteps, markStep } from "./buildsteps.ts";
import { nextPhase, controls, type Phase, type PhaseEvent } from "./phase.ts";
import type { BuildOutput } from "./protocol.ts";
import { pack, unpack } from "./pieces.ts";
import { fieldName, inWords } from "./fields.ts";
import { wantsAutostart, bootVerdict, problemVerdict, publishVerdict, clearVerdict } from "./contract.ts";
import { safeText } from "../util/safe.ts";

const state = {
  phase: "idle" as Phase,
  problems: [] as Problem[],
  buildProblems: [] as Problem[],
  /** Sizes of the guest binaries, from the worker, for the checks that need them. */
  facts: undefined as GuestFacts | undefined,
  /** The build that booted used the uploaded DOS. */
  builtOwnDos: false,
  output: undefined as BuildOutput | undefined,
  builtConfig: undefined as LooprootConfig | undefined,
  engine: undefined as BrowserEngine | undefined,
  bootRun: 0,
  result: undefined as BootResult | undefined,
  /** The images the last boot started from (built, or a kept disk resumed). */
  booted: undefined as { floppy: Uint8Array; disk: Uint8Array } | undefined,
};

let form: ChoicesForm;
let keep: Keep;
let see: SeeInside;
/** The build worker and the readers of uploads and images (client.ts). */
const client = new WorkerClient(() => new Worker(new URL("./worker.ts", import.meta.url), { type: "module" }));
let uploads: Uploads;
/**
 * The harness's own lines are not the user's: its shell probe (protocol.ts's SHELL_PROBE, echoed
 * and answered) and the tagged commands of runShellCommand (harness.ts: sync before a download).
 */
const HARNESS_LINES = new RegExp(`${reportLine("shell")} |__LR\\d+_`);
const term = new TextTerminal(2000, HARNESS_LINES);
// After the host key the focus goes on to the serial console's line (or its output while off).
const screenConsole = new ScreenConsole({
  engine: () => state.engine,
  after: () => (($("#serial-in") as HTMLInputElement).disabled ? $("#serial-out") : $("#serial-in")),
});
const chain = new ChainDiagram();
const view = new BootView({
  term,
  chain,
  focusField: (f) => focusField(form, f),
  hintContext: () => ({ ownDos: state.builtOwnDos, ownRoot: state.builtConfig?.root.source === "tar" }),
});

// ---------------------------------------------------------------------------------------------
// Page skeleton

function skeleton(): void {
  $("#app").append(
    ...pageLayout(
      { screen: screenConsole, chain },
      {
        build: () => void buildAndBoot(),
        stop: () => void stopByUser(),
        reset: () => void resetMachine(),
        saveJson: () => download("looproot-config.json", configToJson(form.getConfig()), "application/json"),
        loadJson: (f) => void loadJson(form, f),
        copyLink: () => void copyLink(form),
        defaults: () => form.setConfig(defaultConfig()),
        serialLine: () => sendSerialLine(state.engine),
        serialKey: (e) => serialKey(e, state.engine),
        ctrlC: () => state.engine?.sendSerial("\x03"),
      },
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
      view.reset();
      see.setKept(images, keep.store.baseImages());
      await boot(images, true);
    },
    build: async (config) => {
      resetSteps();
      const o = await runBuild(config);
      state.output = o;
      renderResults(o, state.builtConfig);
      return o;
    },
    restore: (images, config, st, serial) => restoreMachine(images, config, st, serial),
    serialText: () => term.text(),
    reboot: () => resetMachine(),
  });
  $("#machine-card").append(keep.el);
  const opener = new OpenImages({
    // A fresh worker per pair: a hostile image keeps only that one busy, and it ends with the read.
    read: (floppy, disk) =>
      client
        .read(
          "images",
          { type: "read-images", floppy, disk, names: { floppy: floppy.name, disk: disk.name } },
          "images-read",
        )
        .then((r) => ({ ...r, disk: unpack(r.disk) })),
    boot: async (o) => {
      await keep.beforeDiscard("the opened images boot");
      await stopMachine();
      state.builtConfig = o.config;
      see.setImages({ floppy: o.floppy, disk: o.disk }, o.see, "the opened images");
      // The results pane describes a build; it must not go on listing one that is not booted.
      $("#results").replaceChildren(
        h(
          "p",
          { class: "muted", id: "results-opened" },
          `Booted the opened images (root ${o.rootFile}, swap ${o.swapFile}); they were not built here, so there is nothing to list. Build to see a build's images and files.`,
        ),
      );
      await boot({ floppy: o.floppy, disk: o.disk });
    },
  });
  $("#machine-card").append(opener.el);
  see = new SeeInside({
    // The images are copied once, as pieces (the zero ones skipped), sent to a worker of their own and back.
    ask: async (images, base) => {
      const floppy = images.floppy?.slice();
      const disk = images.disk ? pack(images.disk) : undefined;
      const transfer = [...(floppy ? [floppy.buffer as ArrayBuffer] : []), ...(disk?.transfer ?? [])];
      const r = await client.read(
        "see",
        {
          type: "see",
          ...(floppy ? { floppy } : {}),
          ...(disk ? { disk: disk.packed } : {}),
          ...(base ? { base } : {}),
        },
        "seen",
        transfer,
      );
      return {
        report: r.report,
        ...(r.diff ? { diff: r.diff } : {}),
        images: { floppy: r.floppy, disk: r.disk && unpack(r.disk) },
      };
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
  new ResizeObserver(() =>
    document.documentElement.style.setProperty("--header-h", `${header.offsetHeight}px`),
  ).observe(header);
}

// ---------------------------------------------------------------------------------------------
// Validation

// Every caller revalidates with the form's text problems too: a later revalidation (the guest file
// sizes arriving, an upload read) must not re-enable Build while a field still holds "abc".
function revalidate(config: LooprootConfig, parseProblems: Problem[] = form.getParseProblems()): void {
  const parsed = new Set(parseProblems.map((p) => p.field));
  const facts = uploads.facts(state.facts);
  const problems = [
    ...parseProblems,
    ...validateConfig(config, facts).filter((p) => !parsed.has(p.field)),
    ...uploads.problems(config),
  ];
  state.problems = problems;
  const shown = [...problems, ...state.buildProblems];
  const rest = form.showProblems(shown);
  $("#general-problems").textContent = rest.map((p) => `${fieldName(p.field)}: ${inWords(p.message)}`).join("\n");
  if (facts) {
    const kernel = (facts.kernelBytes / 1024).toLocaleString("en-US", { maximumFractionDigits: 0 });
    form.setUnavailable(
      "floppy.kind",
      new Map(
        floppyKindsForKernel(config, facts)
          .filter((k) => !k.fits)
          .map((k) => [k.kind, `too small for the ${kernel} KiB kernel`]),
      ),
    );
  }
  uploads.recheck(config);
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

function updateButtons(): void {
  const first = state.problems[0];
  const c = controls({
    phase: state.phase,
    running: !!state.engine,
    problems: state.problems.length,
    firstProblem: first && `${fieldName(first.field)}: ${inWords(first.message)}`,
    built: !!state.output,
    booted: !!state.booted,
  });
  const build = $("#build") as HTMLButtonElement;
  build.disabled = c.build.disabled;
  build.title = c.build.title;
  build.textContent = c.build.label;
  ($("#stop") as HTMLButtonElement).disabled = c.stop.disabled;
  ($("#reset") as HTMLButtonElement).disabled = c.reset.disabled;
  for (const id of ["#serial-in", "#serial-send", "#serial-ctrlc"])
    ($(id) as HTMLInputElement).disabled = c.serial.disabled;
  keep?.update();
  document.body.dataset.phase = state.phase;
  showWhyDisabled(state.problems, state.phase === "building", (f) => focusField(form, f));
}

/** Moves the page on by an event of phase.ts; one that does not fit the phase changes nothing. */
function send(event: PhaseEvent): void {
  const t = nextPhase(state.phase, event);
  if (!t) return;
  state.phase = t.phase;
  if (t.phase !== "booting") $("#machine-clock").textContent = "";
  if (t.status !== undefined) $("#machine-status").textContent = t.status;
  updateButtons();
}

// ---------------------------------------------------------------------------------------------
// Build (in the worker)

/** The build in the worker, its steps marked as they are done (the running one failed when it stops). */
async function runBuild(config: LooprootConfig): Promise<BuildOutput> {
  const progress = (m: BuildProgress) =>
    m.type === "fetched"
      ? markStep("fetch", undefined, m.bytes, m.ms, m.detail)
      : markStep(m.step.id, m.step.title, m.step.bytes, m.step.ms, m.step.detail);
  try {
    return await client.build(
      {
        type: "build",
        base: document.baseURI,
        config,
        rootArchive: config.root.source === "tar" ? uploads.rootArchive?.file : undefined,
        dosFloppy: uploads.dosFloppy?.file,
      },
      progress,
    );
  } catch (e) {
    const running = $("#steps").querySelector<HTMLElement>('li[data-state="running"]');
    if (running && (e as BuildError).stage !== "worker") setStep(running, "failed");
    throw e;
  }
}

async function buildAndBoot(): Promise<void> {
  const config = form.getConfig();
  revalidate(config);
  if (state.phase === "building") return;
  if (state.problems.length)
    return publishVerdict(problemVerdict("validate", "the config has problems", state.problems));
  clearVerdict();
  // Build turns off while it runs: its focus goes to the progress, not to the page's <body>.
  const hadFocus = document.activeElement === $("#build");
  // The phase changes at once, before anything is awaited: the page never shows the old verdict as current.
  send({ type: "build" });
  if (hadFocus) $("#build-h").focus({ preventScroll: true });
  // A disk the guest has changed is never thrown away silently.
  await keep.beforeDiscard();
  await stopMachine();
  state.buildProblems = [];
  state.output = undefined;
  state.result = undefined;
  resetSteps();
  view.reset();
  send({ type: "build-waiting" });
  // On a narrow screen the progress is far below the button: bring it into view.
  const card = $("#build-card").getBoundingClientRect();
  if (card.top < 0 || card.top > innerHeight - 80)
    $("#build-card").scrollIntoView({
      block: "start",
      behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth",
    });
  const t0 = performance.now();
  let output: BuildOutput;
  try {
    output = await runBuild(config);
  } catch (e) {
    const err = asLooprootError(e) as LooprootError & { stage?: string };
    state.buildProblems = err.isUserError ? err.problems : [];
    $("#build-error").textContent = safeText(
      err.code === ErrorCode.Bug
        ? `The build stopped (${err.stage ?? "build"}): this is a bug in looproot, please report it: ${err.message}`
        : err.problems.length
          ? `The build stopped: ${err.problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`
          : `The build stopped (${err.stage ?? "build"}): ${err.message}`,
      2000,
    );
    publishVerdict(problemVerdict("build", $("#build-error").textContent ?? "", err.problems));
    send({ type: "build-failed" });
    revalidate(form.getConfig());
    return;
  }
  $("#build-total").textContent = `${fmtMs(performance.now() - t0)} in all`;
  state.output = output;
  state.builtConfig = config;
  state.builtOwnDos = !!uploads.dosFloppy;
  revalidate(form.getConfig());
  renderResults(output, state.builtConfig);
  see.setImages({ floppy: output.floppy, disk: output.disk }, output.see, "the images just built");
  send({ type: "built" });
  await boot();
}

// ---------------------------------------------------------------------------------------------
// Boot (v86 on this page) and the harness's verdict

async function boot(
  images: { floppy: Uint8Array; disk: Uint8Array } | undefined = state.output,
  resumed = false,
): Promise<void> {
  const output = images;
  const config = state.builtConfig;
  if (!output || !config) return;
  const run = ++state.bootRun;
  view.reset();
  send({ type: "boot" });
  let engine: BrowserEngine;
  try {
    engine = await startPagePc(output, config.machine.memoryMiB, ($("#net") as HTMLInputElement).checked);
  } catch (e) {
    publishVerdict(problemVerdict("emulator", view.failed(`The emulator did not start: ${(e as Error).message}`)));
    send({ type: "emulator-failed" });
    return;
  }
  if (run !== state.bootRun) {
    await engine.stop();
    return;
  }
  state.engine = engine;
  state.booted = { floppy: output.floppy, disk: output.disk };
  // What each step reads, from this floppy (in a worker of its own: it may be a user's).
  chain.begin(
    client.read("chain", { type: "chain", floppy: output.floppy.slice(), config }, "chain").then((r) => r.facts),
    quietArg(config),
  );
  keep.started(output.floppy, output.disk, config, resumed);
  screenConsole.attached(engine);
  send({ type: "engine-started" });
  const started = performance.now();
  let stage = "booting";
  const tick = setInterval(() => {
    if (run !== state.bootRun || state.phase !== "booting") return clearInterval(tick);
    $("#machine-clock").textContent = ` · ${stage}, ${((performance.now() - started) / 1000).toFixed(0)} s`;
  }, 500);
  engine.onSerial((t) => view.serial(t));
  const onEvent = (e: HarnessEvent) => {
    if (run !== state.bootRun) return;
    stage = view.event(e) ?? stage;
  };
  try {
    const result = await bootAndVerify(engine, config, { onEvent, stopAtEnd: false, timeoutS: 300 });
    if (run !== state.bootRun) return;
    state.result = result;
    // From here on the disk's changes are the user's (keep.ts's settled says why not before).
    await keep.settled(result.ok);
    if (run !== state.bootRun) return;
    publishVerdict(bootVerdict(result, config.machine.memoryMiB));
    send({ type: "verdict", ok: result.ok });
    // The shell is the user's now: the PC comes into view with the serial console's line focused,
    // unless the user is busy in the choices or already typing on the screen.
    if (result.ok && !document.activeElement?.closest("#choices, #screen")) {
      $("#machine-card").scrollIntoView({
        block: "start",
        behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth",
      });
      ($("#serial-in") as HTMLInputElement).focus({ preventScroll: true });
    }
  } catch (e) {
    if (run !== state.bootRun) return;
    publishVerdict(problemVerdict("emulator", view.failed(`The boot harness stopped: ${(e as Error).message}`)));
    send({ type: "harness-failed" });
  }
}

/** A machine put into a saved state (keep.ts's snapshots): no boot to watch, the shell is where it was. */
async function restoreMachine(
  images: { floppy: Uint8Array; disk: Uint8Array },
  config: LooprootConfig,
  snapshot: ArrayBuffer,
  serial = "",
): Promise<void> {
  await stopMachine();
  const run = ++state.bootRun;
  state.builtConfig = config;
  view.reset();
  send({ type: "restore" });
  const engine = await startPagePc(images, config.machine.memoryMiB);
  try {
    await engine.restoreState(snapshot);
  } catch (e) {
    await engine.stop();
    send({ type: "restore-failed" });
    throw e;
  }
  if (run !== state.bootRun) return void (await engine.stop());
  // The console as it was when the snapshot was taken (kept in its header), then what comes next.
  view.serial(serial);
  // See inside reads the images the snapshot runs on (built here when the page had none).
  if (state.output?.floppy === images.floppy && state.output.disk === images.disk)
    see.setImages({ floppy: images.floppy, disk: images.disk }, state.output.see, "the snapshot's images");
  else see.setKept(images, images);
  engine.onSerial((t) => view.serial(t));
  state.engine = engine;
  state.booted = images;
  screenConsole.attached(engine);
  keep.started(images.floppy, images.disk, config, false, true);
  $("#verdict").textContent = "Restored from a machine snapshot: the PC goes on where the snapshot left it.";
  chain.restored();
  send({ type: "restored" });
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
    send({ type: "stop" });
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

async function loadFacts(): Promise<void> {
  try {
    state.facts = (await client.ask({ type: "facts", base: document.baseURI }, "facts")).facts;
    revalidate(form.getConfig());
  } catch {
    // Missing images: the build's fetch step names them; the checks that need sizes wait for it.
  }
}

// ---------------------------------------------------------------------------------------------

function main(): void {
  skeleton();
  uploads = new Uploads({
    client,
    config: () => form.getConfig(),
    setStatus: (id, text) => form.setStatus(id, text),
    changed: () => revalidate(form.getConfig()),
  });
  form = new ChoicesForm(defaultConfig(), {
    onChange: (config, parse) => {
      // A changed choice makes the last build's complaints stale.
      state.buildProblems = [];
      revalidate(config, parse);
      // The address bar always carries the choices, so a bookmark or a reload keeps them.
      history.replaceState(null, "", configToHash(config) || location.pathname + location.search);
    },
    onRootArchive: (f) => uploads.onRootArchive(f),
    onDosFloppy: (f) => void uploads.onDosFloppy(f),
  });
  $("#left").append(form.el);
  resetSteps();
  setStep(stepRow("fetch"), "waiting");
  // Read before the form rewrites the address bar with the choices alone.
  const autostart = wantsAutostart(location.hash, location.search);
  const link = loadFromHash(form);
  window.addEventListener("hashchange", () => void loadFromHash(form));
  revalidate(form.getConfig());
  // The test contract (contract.ts): a damaged link is not booted as something else; a good one is.
  if (autostart) {
    const damaged = link
      ? [
          ...link.dropped.map((d) => ({ field: d.field, message: d.why })),
          ...(link.truncated ? [{ field: "config", message: "was cut short" }] : []),
        ]
      : [];
    if (damaged.length) publishVerdict(problemVerdict("link", "the link's settings were damaged", damaged));
    else void buildAndBoot();
  }
  void keep.offerResume();
  void loadFacts();
  // For the browser tests and the curious: the live state.
  (window as unknown as { looproot: unknown }).looproot = { state, form, term, keep };
}

main();
