// Keeping the Linux booted in the page: "Shut down and save" (the guest powers off cleanly, then
// its disk is kept in the browser and offered as disk.img), "Download current disk" at any time
// (synced first, and named as not shut down while the PC runs), and on a reopened page the offer
// to resume the kept disk. The disk lives in store.ts as an overlay over the built image.
// One rule for the user's work: a disk the guest changed is never dropped silently. The guest's own
// poweroff is noticed and kept like "Shut down and save"; Stop, Reset, Rebuild, Restore and Open
// keep the running disk first; while the PC runs its changes are kept every few seconds (a crashed
// tab loses at most those), and a reload or close with changes not yet kept asks first.

import type { LooprootConfig } from "../config.ts";
import type { BrowserEngine } from "../../emulator/v86-browser.ts";
import { shutdownGuest, KERNEL_HALTED, KERNEL_RESTARTING, type ShutdownResult } from "../../emulator/shutdown.ts";
import { SHUTDOWN } from "../howto/protocol.ts";
import { runShellCommand } from "../../emulator/harness.ts";
import { DiskStore, StoreError, type KeptMeta } from "./store.ts";
import {
  encodeSnapshot,
  readSnapshotHeader,
  checkSnapshotImages,
  snapshotState,
  imageId,
  SnapshotError,
} from "../../emulator/snapshot.ts";
import { h, $, fmtMs, fmtSize, download } from "./dom.ts";
import { sparseCopy } from "./pieces.ts";
import { ResumeBanner, KEEP_HINT, DISK_NAMES, when } from "./resume.ts";

export interface KeepHooks {
  engine(): BrowserEngine | undefined;
  /** The config the running (or last) machine was built from. */
  config(): LooprootConfig | undefined;
  /** The floppy and disk the last boot started from. */
  images(): { floppy: Uint8Array; disk: Uint8Array } | undefined;
  /** Stops the machine (after the guest halted) without a verdict message. */
  stop(): Promise<void>;
  /** Boots these images with this config (a resumed disk). */
  boot(images: { floppy: Uint8Array; disk: Uint8Array }, config: LooprootConfig): Promise<void>;
  /** Starts the stopped machine again on its disk as the guest left it (the guest rebooted). */
  reboot(): Promise<void>;
  /** Builds the images of a config (to restore a snapshot in a page that has not built them). */
  build(config: LooprootConfig): Promise<{ floppy: Uint8Array; disk: Uint8Array }>;
  /** Starts a machine on these images and puts it into a saved state. */
  restore(
    images: { floppy: Uint8Array; disk: Uint8Array },
    config: LooprootConfig,
    state: ArrayBuffer,
    serial?: string,
  ): Promise<void>;
  /** The serial console's text, kept in a snapshot so that a restored page shows it again. */
  serialText(): string;
}

/**
 * Once the shell is the user's, the kernel writes only its errors and worse on the consoles (as
 * distributions do; dmesg still has all): its warnings, such as the clocksource watchdog's after a
 * restored snapshot's jump in time, cut into the user's prompt. Its halt and restart lines are
 * emergencies, so the page still sees them.
 */
const USER_CONSOLE = "echo 4 >/proc/sys/kernel/printk 2>/dev/null; ";

/** How much of the serial console a snapshot keeps (its last lines). */
const SNAPSHOT_SERIAL_CHARS = 64 * 1024;

/** The kept disk in words: the user's own save, or one kept on the way. */
const keptName = (m: KeptMeta) => `${m.byUser ? "your saved disk" : "the disk kept"} from ${when(m.savedAt)}`;

/** How often the running disk's changes are kept; at least 20 times what one comparison costs (a 2 GiB disk). */
export const AUTOSAVE_MS = 5_000;

export class Keep {
  readonly store = new DiskStore();
  readonly el: HTMLElement;
  readonly banner: HTMLElement;
  private readonly resumeBanner: ResumeBanner;
  /** The disk after the last clean shutdown, while the machine is off (what Download offers then). */
  private halted?: { disk: Uint8Array; clean: boolean };
  /** Saves run one after another: each compares with what the one before stored. */
  private queue: Promise<unknown> = Promise.resolve();
  private saving = 0;
  private shuttingDown = false;
  /** A user's saved disk of another build is kept: this machine's changes wait for the user's word. */
  private conflict?: KeptMeta;
  private timer?: ReturnType<typeof setTimeout>;
  private unwatch?: () => void;
  /** The status line shows the hint or a background note, which the next note may replace. */
  private quiet = true;
  /** The console's last text, for the guest's shutdown and whether it ended in a reboot. */
  private tail = "";
  /** The guest's kernel said it restarts the PC (reboot, Ctrl-Alt-Del): the machine is held, to start again on the kept disk. */
  private rebooting = false;
  /**
   * The user can have changed the disk: from the boot's verdict on (settled), or at once for a
   * restored machine. Before, every write is the boot's own (see settled), not the user's work.
   */
  private live = false;
  /** changed()'s last answer, good while neither the guest's disk writes nor the store's compare point moved. */
  private memo?: { writes: number; version: number; changed: boolean };

  constructor(private hooks: KeepHooks) {
    this.el = h(
      "div",
      { class: "keep", id: "keep" },
      h(
        "button",
        { id: "shutdown-save", type: "button", disabled: true, onclick: () => void this.shutdownAndSave() },
        "Shut down and save",
      ),
      h(
        "button",
        { id: "download-disk", type: "button", disabled: true, onclick: () => void this.downloadCurrent() },
        "Download current disk",
      ),
      h(
        "button",
        { id: "snapshot-save", type: "button", disabled: true, onclick: () => void this.saveSnapshot() },
        "Save machine snapshot",
      ),
      h("label", { class: "button", for: "snapshot-file" }, "Restore snapshot…"),
      h("input", {
        id: "snapshot-file",
        type: "file",
        class: "sr-only",
        onchange: (e) => {
          const i = e.target as HTMLInputElement;
          const f = i.files?.[0];
          i.value = "";
          if (f) void this.restoreSnapshot(f);
        },
      }),
      h("p", { id: "keep-status", class: "hint", "aria-live": "polite" }, KEEP_HINT),
    );
    this.resumeBanner = new ResumeBanner({
      store: this.store,
      status: (text, bad, quiet) => this.status(text, bad, quiet),
      boot: (images, config) => this.hooks.boot(images, config),
    });
    this.banner = this.resumeBanner.el;
    // A reload or a closed tab must not drop changes that are not kept yet: the browser asks.
    window.addEventListener("beforeunload", (e) => {
      if (!this.unsaved()) return;
      e.preventDefault();
      e.returnValue = "";
    });
  }

  /** A new machine starts from these images: they are the base of what a save keeps. */
  started(floppy: Uint8Array, disk: Uint8Array, config: LooprootConfig, resumed: boolean, restored = false): void {
    if (!resumed) this.store.setBase(floppy, disk, config);
    this.halted = undefined;
    this.shuttingDown = false;
    this.conflict = undefined;
    this.memo = undefined;
    this.live = restored;
    this.watch();
    this.update();
  }

  /**
   * The boot has come to its verdict: what it wrote so far is the boot's own, not the user's work.
   * Measured on the default build (v86): at the verdict the DOS volume's "dirty" flag (its boot
   * sector, set by the vfat mount); the kernel writes the rest within its 30 s writeback: ext2's
   * superblock (mount count, time and state from the rc's remount rw), the inode table (access
   * times of what the boot ran) and C:\LINUX's entry of the root file. So the guest syncs first
   * (hidden, as Download's), then its disk is the point later changes are counted from. main.ts
   * waits for this before it says the shell is the user's, so no typed change lands in that point.
   * A write after it counts, a read's access time too: asking once too often beats dropping work.
   */
  async settled(verified: boolean): Promise<void> {
    const engine = this.hooks.engine();
    if (!engine?.diskImage?.() || this.live) return;
    // A boot that did not verify may have no shell to answer: its disk is taken as it is.
    if (verified) await this.syncGuest(USER_CONSOLE);
    const disk = engine.diskImage?.();
    if (!disk || engine !== this.hooks.engine()) return;
    this.store.settle(sparseCopy(disk));
    this.live = true;
  }

  /**
   * True when the running disk differs from what is kept (or from its boot). The guest's write
   * count (Engine.diskWrites) answers without comparing while it stands still: an idle 48 MiB disk
   * costs nothing every 5 s instead of a comparison of all of it.
   */
  private diskChanged(): boolean {
    const engine = this.hooks.engine();
    const disk = engine?.diskImage?.();
    if (!engine || !disk || !this.live) return false;
    const writes = engine.diskWrites?.();
    const m = this.memo;
    if (writes !== undefined && m && m.writes === writes && m.version === this.store.version) return m.changed;
    const changed = this.store.changed(disk);
    if (writes !== undefined) this.memo = { writes, version: this.store.version, changed };
    return changed;
  }

  /** The machine is gone: no more watching its console or keeping its disk. */
  ended(): void {
    this.unwatch?.();
    this.unwatch = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The guest's own shutdown (poweroff, halt, reboot typed at a console) and the periodic keep. */
  private watch(): void {
    this.ended();
    const engine = this.hooks.engine();
    if (!engine) return;
    this.tail = "";
    this.rebooting = false;
    this.unwatch = () => undefined;
    const off = engine.onSerial((t) => {
      const tail = (this.tail = (this.tail + t).slice(-4096));
      if (!this.rebooting && KERNEL_RESTARTING.test(tail)) {
        // The kernel resets the PC itself and v86 starts it again at once: hold it here, or its next
        // boot would change the disk being kept (and push this line out of the tail).
        this.rebooting = true;
        void engine.emulator.stop();
      }
      if (this.shuttingDown) return;
      const halted = KERNEL_HALTED.exec(tail);
      if (halted) void this.shutdownAndSave({ status: "halted", ms: 0, line: halted[0], typedSteps: false });
      else if (tail.includes(SHUTDOWN.begin)) void this.shutdownAndSave("guest");
    });
    this.unwatch = () => off?.();
    // A comparison of a big disk takes a while: the next one comes after at least 20 times its cost.
    const tick = (lastMs: number) => {
      this.timer = setTimeout(
        () => {
          const t0 = performance.now();
          void this.autosave().finally(() => {
            if (this.unwatch) tick(performance.now() - t0);
          });
        },
        Math.max(AUTOSAVE_MS, 20 * lastMs),
      );
    };
    tick(0);
  }

  /** True while the running disk has changes this browser has not kept (the page then asks before it goes). */
  unsaved(): boolean {
    if (this.saving || this.shuttingDown) return true;
    return this.diskChanged();
  }

  /** Runs store saves one at a time, in order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    this.saving++;
    const run = this.queue.then(fn, fn).finally(() => this.saving--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Keeps the running disk's changes (as not cleanly shut down), unless a disk the user saved from
   * another build is kept: that one is not replaced behind the user's back (the page asks at the
   * next Stop, Reset or Rebuild, and before the tab closes).
   */
  private async autosave(): Promise<void> {
    if (this.shuttingDown || this.saving || !this.diskChanged()) return;
    const copy = sparseCopy(this.hooks.engine()!.diskImage!()!);
    try {
      if (await this.userDiskInTheWay()) return;
      await this.serial(() => this.store.save(copy, false, false));
      this.aside(
        "Your changes on the running PC are kept in this browser as you go (not cleanly shut down); Shut down and save leaves a clean disk.",
      );
    } catch (e) {
      this.status(`The running disk's changes could not be kept in this browser: ${(e as Error).message}.`, true);
    }
  }

  /** A disk of another build (or another machine) that a save of this machine would replace. */
  private async userDiskInTheWay(): Promise<KeptMeta | undefined> {
    if (this.store.baseStored) return undefined;
    const kept = await DiskStore.peek();
    if (kept && kept.meta.builtAt !== this.store.builtAt) {
      if (!this.conflict)
        this.aside(
          `Your changes on this PC are not kept automatically while ${keptName(kept.meta)} is kept here; Shut down and save keeps them instead of it.`,
        );
      return (this.conflict = kept.meta);
    }
    return undefined;
  }

  /** The disk the guest left at its last shutdown, while the machine is off. */
  lastDisk(): Uint8Array | undefined {
    return this.halted?.disk;
  }

  update(): void {
    const running = !!this.hooks.engine()?.diskImage?.();
    ($("#shutdown-save", this.el) as HTMLButtonElement).disabled = !running;
    ($("#snapshot-save", this.el) as HTMLButtonElement).disabled = !running;
    ($("#download-disk", this.el) as HTMLButtonElement).disabled = !running && !this.halted && !this.hooks.images();
  }

  private status(text: string, bad = false, quiet = text === KEEP_HINT): void {
    const p = $("#keep-status", this.el);
    p.textContent = text;
    p.dataset.bad = String(bad);
    this.quiet = quiet;
  }

  /** A background note (the periodic keep): it never hides what an action of the user just said. */
  private aside(text: string): void {
    if (this.quiet) this.status(text, false, true);
  }

  /**
   * Before a Stop, Reset, Rebuild, Restore or Open throws the running disk away. A disk the guest
   * changed is kept in this browser (as not cleanly shut down), unless that would replace a disk
   * the user saved from another build: then the user is asked which one to keep. Never blocks the
   * action. `disk` is the stopped machine's disk (Stop), else the running one is copied now.
   */
  async beforeDiscard(why = "the rebuild", stoppedDisk?: Uint8Array): Promise<void> {
    const disk = stoppedDisk ?? this.hooks.engine()?.diskImage?.();
    this.ended();
    // Before the boot's verdict nothing on the disk is the user's (settled says why).
    if (!disk || !this.live || !this.store.changed(disk)) {
      // Stopped as last kept (not as built): Download current disk names it as not shut down.
      if (stoppedDisk && this.store.baseStored) {
        this.halted = { disk: stoppedDisk, clean: false };
        this.update();
        this.status(
          `Its changes were all kept in this browser before ${why} (not cleanly shut down); reload the page to get it back, or Download current disk.`,
        );
      }
      return;
    }
    // The guest goes on writing while the save runs: keep what it was now (its zeros not copied).
    const copy = stoppedDisk ?? sparseCopy(disk);
    this.halted = { disk: copy, clean: false };
    this.update();
    try {
      const kept = this.store.baseStored ? undefined : await DiskStore.peek();
      if (kept && kept.meta.builtAt !== this.store.builtAt) {
        const replace = confirm(
          `The running PC's disk has changes that are not saved. Keep it in this browser instead of ${keptName(kept.meta)}? (Cancel keeps that one; the running one is then lost.)`,
        );
        if (!replace) return this.status(`The running disk was not kept; ${keptName(kept.meta)} stays.`);
      }
      const s = await this.serial(() => this.store.save(copy, false, false));
      this.status(
        `The running disk's changes were kept in this browser before ${why} (not cleanly shut down; ${s.meta.blocks} block${s.meta.blocks === 1 ? "" : "s"} changed since its build); reload the page to get it back, or Download current disk.`,
      );
    } catch (e) {
      this.status(`The running disk could not be kept before ${why}: ${(e as Error).message}.`, true);
    }
  }

  /**
   * "Shut down and save" (the page asks the guest to power off, then downloads and keeps the disk),
   * or the guest's own shutdown seen on its console ("guest": it is waited for; a result: the
   * kernel already halted), which keeps the disk the same way without a download nobody asked for.
   */
  async shutdownAndSave(by: "button" | "guest" | ShutdownResult = "button"): Promise<void> {
    const engine = this.hooks.engine(),
      config = this.hooks.config();
    if (!engine || !config || this.shuttingDown) return;
    this.shuttingDown = true;
    clearTimeout(this.timer);
    ($("#shutdown-save", this.el) as HTMLButtonElement).disabled = true;
    const button = by === "button";
    this.status(
      button
        ? "Shutting down: the guest syncs, turns swap off, remounts the root read-only and marks the DOS partition clean…"
        : "The guest is shutting down by itself; its disk is kept when it has halted…",
    );
    const r =
      typeof by === "object" ? by : await shutdownGuest(engine, config, { timeoutMs: 120_000, request: button });
    // The guest's own shutdown ends in a halt or a restart: on a busy host the kernel's line for it
    // can come after shutdownGuest's wait, and a restart missed here would leave the PC off.
    if (by === "guest" && r.status === "clean") await this.kernelsLastLine(30_000);
    // The machine stops now, so its disk stays as it is: no copy of it is needed.
    const disk = engine.diskImage?.();
    this.ended();
    await this.hooks.stop();
    if (!disk) return this.status("The machine kept no disk to save.", true);
    const clean = r.status === "clean" || r.status === "halted";
    this.halted = { disk, clean };
    this.update();
    const why = r.line || `no answer within ${fmtMs(r.ms)}`;
    const how = clean
      ? button
        ? `shut down cleanly in ${fmtMs(r.ms)}`
        : "shut down by itself, cleanly"
      : `did NOT shut down cleanly (${why})`;
    const name = clean ? DISK_NAMES.clean : DISK_NAMES.unclean;
    if (button) download(name, disk);
    const got = button
      ? `${name} (${fmtSize(disk.length)}) downloaded and kept in this browser`
      : `its disk (${fmtSize(disk.length)}) is kept in this browser (Download current disk saves it as ${name})`;
    try {
      const s = await this.serial(() => this.store.save(disk, clean));
      const base = s.baseBytes
        ? `the built images stored once (${fmtSize(s.baseBytes)}, their all-zero MiBs left out) and `
        : "";
      this.status(
        `The guest ${how}; ${got}: ${base}${s.blocks} changed block${s.blocks === 1 ? "" : "s"} (${fmtSize(s.bytes)}) saved in ${fmtMs(s.ms)}.`,
        !clean,
      );
    } catch (e) {
      this.status(
        `The guest ${how}; ${button ? `${name} downloaded` : "its disk is here until the page closes"}, but ${e instanceof StoreError ? e.message : `keeping it failed: ${(e as Error).message}`}.`,
        true,
      );
    } finally {
      this.shuttingDown = false;
    }
    // A reboot (reboot typed, Ctrl-Alt-Del) starts the PC again on the kept disk, as a real one would.
    if (!button && this.rebooting) await this.hooks.reboot();
  }

  /** Waits until the console's tail shows the kernel halting or restarting the PC (or `ms` passed). */
  private async kernelsLastLine(ms: number): Promise<void> {
    for (const t0 = Date.now(); !this.rebooting && !KERNEL_HALTED.test(this.tail) && Date.now() - t0 < ms;) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** On page load: offer the kept disk, if any. */
  offerResume(): Promise<void> {
    return this.resumeBanner.offer();
  }

  /** Asks the guest to write its caches out (after `first`, a command); false when its shell did not answer. */
  async syncGuest(first = ""): Promise<boolean> {
    const engine = this.hooks.engine();
    if (!engine) return false;
    try {
      // Twice: the root's writes reach the file behind /dev/loop0 in the first, but the DOS
      // partition holding that file may have been synced before they did; the second writes it out.
      await runShellCommand(engine, `${first}sync; sync`, 30_000);
      return true;
    } catch {
      return false;
    }
  }

  async downloadCurrent(): Promise<void> {
    const engine = this.hooks.engine();
    if (engine?.diskImage?.()) {
      // At least the data is on the disk: the guest writes its caches out first.
      this.status("Syncing the guest's disk…");
      const synced = await this.syncGuest();
      // download() makes its Blob now, from the disk's pieces: that is the copy, no slice() first.
      const disk = engine.diskImage!()!;
      download(DISK_NAMES.running, disk);
      return this.status(
        `Downloaded the disk of the running PC (${fmtSize(disk.length)}), ${synced ? "synced" : "NOT synced (the guest's shell did not answer sync, so its last writes may be missing)"} but NOT cleanly shut down: fsck may find its filesystems marked in use.`,
        !synced,
      );
    }
    if (this.halted) {
      download(this.halted.clean ? DISK_NAMES.clean : DISK_NAMES.unclean, this.halted.disk);
      return this.status(
        `Downloaded the disk as the guest left it (${this.halted.clean ? "cleanly shut down" : "not cleanly shut down"}).`,
      );
    }
    const images = this.hooks.images();
    if (images) download(DISK_NAMES.clean, images.disk);
  }

  /** The whole machine to a file: v86's state, gzip'd, with the images it needs named in its header. */
  async saveSnapshot(): Promise<void> {
    const engine = this.hooks.engine(),
      config = this.hooks.config(),
      images = this.hooks.images();
    if (!engine || !config || !images) return;
    const t0 = performance.now();
    try {
      const st = await engine.saveState();
      const file = await encodeSnapshot(st, {
        memoryMiB: config.machine.memoryMiB,
        floppy: imageId(images.floppy),
        disk: imageId(images.disk),
        diskSize: images.disk.length,
        config,
        takenAt: Date.now(),
        serial: this.hooks.serialText().slice(-SNAPSHOT_SERIAL_CHARS),
      });
      download("looproot-snapshot.lrsnap", file);
      this.status(
        `Machine snapshot saved: ${fmtSize(file.length)} (the machine's ${fmtSize(st.byteLength)} gzip'd) in ${fmtMs(performance.now() - t0)}. Restore snapshot brings the PC back to this moment, in this page or another.`,
      );
    } catch (e) {
      this.status(`The snapshot failed: ${(e as Error).message}.`, true);
    }
  }

  async restoreSnapshot(file: File): Promise<void> {
    const t0 = performance.now();
    try {
      if (file.size > 2 * 1024 ** 3) throw new SnapshotError("this file is too large to be a looproot snapshot");
      const { header, body } = readSnapshotHeader(new Uint8Array(await file.arrayBuffer()));
      this.status(`Restoring the snapshot of ${when(header.takenAt)}…`);
      let images = this.hooks.images();
      if (!images || imageId(images.floppy) !== header.floppy || imageId(images.disk) !== header.disk) {
        this.status("Building the snapshot's images from its choices…");
        images = await this.hooks.build(header.config);
      }
      checkSnapshotImages(header, images.floppy, images.disk);
      const st = await snapshotState(header, body);
      // The running PC is replaced: its changed disk is kept (or the user asked) first.
      await this.beforeDiscard("the restore");
      await this.hooks.restore(
        images,
        header.config,
        st,
        typeof header.serial === "string" ? header.serial.slice(-SNAPSHOT_SERIAL_CHARS) : "",
      );
      this.status(
        `Restored the snapshot of ${when(header.takenAt)} in ${fmtMs(performance.now() - t0)}: the PC is where it was.`,
      );
    } catch (e) {
      this.status(
        e instanceof SnapshotError
          ? `Not restored: ${e.message}.`
          : `The snapshot could not be restored: ${(e as Error).message}.`,
        true,
      );
    }
  }
}
