// Keeping the Linux booted in the page: "Shut down and save" (the guest powers off cleanly, then
// its disk is kept in the browser and offered as disk.img), "Download current disk" at any time
// (synced first, and named as not shut down while the PC runs), and on a reopened page the offer
// to resume the kept disk. The disk lives in store.ts as an overlay over the built image.

import type { LooprootConfig } from "../config.ts";
import type { BrowserEngine } from "../../emulator/v86-browser.ts";
import { shutdownGuest } from "../../emulator/shutdown.ts";
import { runShellCommand } from "../../emulator/harness.ts";
import { DiskStore, StoreError, type KeptMeta } from "./store.ts";
import { encodeSnapshot, readSnapshotHeader, checkSnapshotImages, snapshotState, imageId, SnapshotError } from "./snapshot.ts";
import { h, $, fmtMs, fmtSize, download } from "./dom.ts";
import { sparseCopy } from "./pieces.ts";

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
  /** Builds the images of a config (to restore a snapshot in a page that has not built them). */
  build(config: LooprootConfig): Promise<{ floppy: Uint8Array; disk: Uint8Array }>;
  /** Starts a machine on these images and puts it into a saved state. */
  restore(images: { floppy: Uint8Array; disk: Uint8Array }, config: LooprootConfig, state: ArrayBuffer): Promise<void>;
}

export const KEEP_HINT = "To keep your work: type poweroff at the shell or press Shut down and save; the disk is then kept in this browser and offered as disk.img.";

const when = (t: number) => new Date(t).toLocaleString();

export class Keep {
  readonly store = new DiskStore();
  readonly el: HTMLElement;
  readonly banner: HTMLElement;
  /** The disk after the last clean shutdown, while the machine is off (what Download offers then). */
  private halted?: { disk: Uint8Array; clean: boolean };

  constructor(private hooks: KeepHooks) {
    this.el = h("div", { class: "keep", id: "keep" },
      h("button", { id: "shutdown-save", type: "button", disabled: true, onclick: () => void this.shutdownAndSave() }, "Shut down and save"),
      h("button", { id: "download-disk", type: "button", disabled: true, onclick: () => void this.downloadCurrent() }, "Download current disk"),
      h("button", { id: "snapshot-save", type: "button", disabled: true, onclick: () => void this.saveSnapshot() }, "Save machine snapshot"),
      h("label", { class: "button", for: "snapshot-file" }, "Restore snapshot…"),
      h("input", { id: "snapshot-file", type: "file", class: "sr-only", onchange: (e) => { const i = e.target as HTMLInputElement; const f = i.files?.[0]; i.value = ""; if (f) void this.restoreSnapshot(f); } }),
      h("p", { id: "keep-status", class: "hint", "aria-live": "polite" }, KEEP_HINT),
    );
    this.banner = h("div", { id: "resume", class: "resume", hidden: true, role: "region", "aria-label": "Your kept disk" });
  }

  /** A new machine starts from these images: they are the base of what a save keeps. */
  started(floppy: Uint8Array, disk: Uint8Array, config: LooprootConfig, resumed: boolean): void {
    if (!resumed) this.store.setBase(floppy, disk, config);
    this.halted = undefined;
    this.update();
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

  private status(text: string, bad = false): void {
    const p = $("#keep-status", this.el);
    p.textContent = text;
    p.dataset.bad = String(bad);
  }

  /**
   * Before a rebuild or a reset throws the running disk away. A disk the guest changed is kept in
   * this browser (as not cleanly shut down), unless that would replace a disk the user saved
   * from another build: then the user is asked which one to keep. Never blocks the rebuild.
   */
  async beforeDiscard(): Promise<void> {
    const disk = this.hooks.engine()?.diskImage?.();
    if (!disk || !this.store.changed(disk)) return;
    // The guest goes on writing while the save runs: keep what it was now (its zeros not copied).
    const copy = sparseCopy(disk);
    try {
      const kept = await DiskStore.peek();
      if (kept?.meta.byUser && kept.meta.builtAt !== this.store.builtAt) {
        const replace = confirm(`The running PC's disk has changes that are not saved. Keep it in this browser instead of your saved disk from ${when(kept.meta.savedAt)}? (Cancel keeps the saved disk; the running one is then lost.)`);
        if (!replace) return this.status(`The running disk was not kept; your saved disk from ${when(kept.meta.savedAt)} stays.`);
      }
      const s = await this.store.save(copy, false, false);
      this.status(`The running disk's changes were kept in this browser before the rebuild (not cleanly shut down; ${s.blocks} changed blocks); reload the page to get it back.`);
    } catch (e) {
      this.status(`The running disk could not be kept before the rebuild: ${(e as Error).message}.`, true);
    }
  }

  async shutdownAndSave(): Promise<void> {
    const engine = this.hooks.engine(), config = this.hooks.config();
    if (!engine || !config) return;
    ($("#shutdown-save", this.el) as HTMLButtonElement).disabled = true;
    this.status("Shutting down: the guest syncs, turns swap off, remounts the root read-only and marks the DOS partition clean…");
    const r = await shutdownGuest(engine, config, { timeoutMs: 120_000 });
    // The machine stops now, so its disk stays as it is: no copy of it is needed.
    const disk = engine.diskImage?.();
    await this.hooks.stop();
    if (!disk) return this.status("The machine kept no disk to save.", true);
    const clean = r.status === "clean" || r.status === "halted";
    this.halted = { disk, clean };
    this.update();
    const how = clean ? `shut down cleanly in ${fmtMs(r.ms)}` : `did NOT shut down cleanly (${r.line})`;
    download(clean ? "disk.img" : "disk-not-cleanly-shut-down.img", disk);
    try {
      const s = await this.store.save(disk, clean);
      const base = s.baseBytes ? `the built images stored once (${fmtSize(s.baseBytes)}, their all-zero MiBs left out) and ` : "";
      this.status(`The guest ${how}; disk.img (${fmtSize(disk.length)}) downloaded and kept in this browser: ${base}${s.blocks} changed block${s.blocks === 1 ? "" : "s"} (${fmtSize(s.bytes)}) saved in ${fmtMs(s.ms)}.`, !clean);
    } catch (e) {
      this.status(`The guest ${how}; disk.img downloaded, but ${e instanceof StoreError ? e.message : `keeping it failed: ${(e as Error).message}`}.`, true);
    }
  }

  async downloadCurrent(): Promise<void> {
    const engine = this.hooks.engine();
    if (engine?.diskImage?.()) {
      // At least the data is on the disk: the guest writes its caches out first.
      this.status("Syncing the guest's disk…");
      try {
        await runShellCommand(engine, "sync", 30_000);
      } catch {
        // A busy shell does not stop the download; the label says what it is.
      }
      // download() makes its Blob now, from the disk's pieces: that is the copy, no slice() first.
      const disk = engine.diskImage!()!;
      download("disk-running-not-shut-down.img", disk);
      return this.status(`Downloaded the disk of the running PC (${fmtSize(disk.length)}), synced but NOT cleanly shut down: fsck may find its filesystems marked in use.`);
    }
    if (this.halted) {
      download(this.halted.clean ? "disk.img" : "disk-not-cleanly-shut-down.img", this.halted.disk);
      return this.status(`Downloaded the disk as the guest left it (${this.halted.clean ? "cleanly shut down" : "not cleanly shut down"}).`);
    }
    const images = this.hooks.images();
    if (images) download("disk.img", images.disk);
  }

  /** The whole machine to a file: v86's state, gzip'd, with the images it needs named in its header. */
  async saveSnapshot(): Promise<void> {
    const engine = this.hooks.engine(), config = this.hooks.config(), images = this.hooks.images();
    if (!engine || !config || !images) return;
    const t0 = performance.now();
    try {
      const st = await engine.saveState();
      const file = await encodeSnapshot(st, { memoryMiB: config.machine.memoryMiB, floppy: imageId(images.floppy), disk: imageId(images.disk), diskSize: images.disk.length, config, takenAt: Date.now() });
      download("looproot-snapshot.lrsnap", file);
      this.status(`Machine snapshot saved: ${fmtSize(file.length)} (the machine's ${fmtSize(st.byteLength)} gzip'd) in ${fmtMs(performance.now() - t0)}. Restore snapshot brings the PC back to this moment, in this page or another.`);
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
      await this.hooks.restore(images, header.config, st);
      this.status(`Restored the snapshot of ${when(header.takenAt)} in ${fmtMs(performance.now() - t0)}: the PC is where it was.`);
    } catch (e) {
      this.status(e instanceof SnapshotError ? `Not restored: ${e.message}.` : `The snapshot could not be restored: ${(e as Error).message}.`, true);
    }
  }

  /** On page load: offer the kept disk, if any. */
  async offerResume(): Promise<void> {
    let kept: { meta: KeptMeta } | undefined;
    try {
      kept = await DiskStore.peek();
    } catch (e) {
      this.status(e instanceof StoreError ? `Disks cannot be kept in this browser: ${e.message}.` : KEEP_HINT, e instanceof StoreError);
      return;
    }
    if (!kept) return;
    const m = kept.meta;
    const b = this.banner;
    b.replaceChildren(
      h("p", {}, h("strong", {}, "Your disk from ", when(m.savedAt), `, ${fmtSize(m.size)}`), ` (${m.clean ? "cleanly shut down" : "not cleanly shut down"}, ${m.blocks} block${m.blocks === 1 ? "" : "s"} changed since its build).`),
      h("button", { id: "resume-boot", type: "button", class: "primary", onclick: () => void this.resume("boot") }, "Boot it"),
      h("button", { id: "resume-download", type: "button", onclick: () => void this.resume("download") }, "Download it"),
      h("button", { id: "resume-discard", type: "button", onclick: () => void this.discard() }, "Discard it"),
    );
    b.hidden = false;
  }

  private async resume(what: "boot" | "download"): Promise<void> {
    let kept;
    try {
      kept = await this.store.load();
    } catch (e) {
      this.banner.append(h("p", { class: "error" }, (e as Error).message));
      return;
    }
    if (!kept) return void (this.banner.hidden = true);
    if (what === "download") return download(kept.meta.clean ? "disk.img" : "disk-not-cleanly-shut-down.img", kept.disk);
    this.banner.hidden = true;
    this.status(`Booting your disk from ${when(kept.meta.savedAt)}.`);
    await this.hooks.boot({ floppy: kept.floppy, disk: kept.disk }, kept.config);
  }

  private async discard(): Promise<void> {
    if (!confirm("Discard the disk kept in this browser? It cannot be brought back.")) return;
    await DiskStore.discard();
    this.banner.hidden = true;
    this.status("The kept disk was discarded.");
  }
}
