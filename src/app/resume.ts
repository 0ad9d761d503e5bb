// The offer of the disk kept in this browser, on a page that opens: boot it, download it (named
// by its state) or discard it. The disk itself lives in store.ts.

import type { LooprootConfig } from "../config.ts";
import { DiskStore, StoreError, type KeptMeta } from "./store.ts";
import { h, fmtSize, download } from "./dom.ts";

export const KEEP_HINT =
  "To keep your work: type poweroff at the shell or press Shut down and save; the disk is then kept in this browser and offered as disk.img.";

/** A downloaded disk's name says what state it is in. */
export const DISK_NAMES = {
  clean: "disk.img",
  unclean: "disk-not-cleanly-shut-down.img",
  running: "disk-running-not-shut-down.img",
} as const;

export const when = (t: number) => new Date(t).toLocaleString();

export interface ResumeHooks {
  store: DiskStore;
  /** keep.ts's status line. */
  status(text: string, bad?: boolean, quiet?: boolean): void;
  /** Boots the kept disk with its config. */
  boot(images: { floppy: Uint8Array; disk: Uint8Array }, config: LooprootConfig): Promise<void>;
}

export class ResumeBanner {
  readonly el = h("div", {
    id: "resume",
    class: "resume",
    hidden: true,
    role: "region",
    "aria-label": "Your kept disk",
  });

  constructor(private hooks: ResumeHooks) {}

  /** On page load: offer the kept disk, if any. */
  async offer(): Promise<void> {
    let kept: { meta: KeptMeta } | undefined;
    try {
      kept = await DiskStore.peek();
    } catch (e) {
      this.hooks.status(
        e instanceof StoreError ? `Disks cannot be kept in this browser: ${e.message}.` : KEEP_HINT,
        e instanceof StoreError,
      );
      return;
    }
    if (!kept) return;
    const m = kept.meta;
    const b = this.el;
    b.replaceChildren(
      h(
        "p",
        {},
        h("strong", {}, "Your disk from ", when(m.savedAt), `, ${fmtSize(m.size)}`),
        ` (${m.clean ? "cleanly shut down" : "not cleanly shut down"}, ${m.blocks} block${m.blocks === 1 ? "" : "s"} changed since its build).`,
      ),
      h(
        "button",
        { id: "resume-boot", type: "button", class: "primary", onclick: () => void this.resume("boot") },
        "Boot it",
      ),
      h(
        "button",
        { id: "resume-download", type: "button", onclick: () => void this.resume("download") },
        "Download it",
      ),
      h("button", { id: "resume-discard", type: "button", onclick: () => void this.discard() }, "Discard it"),
    );
    b.hidden = false;
  }

  private async resume(what: "boot" | "download"): Promise<void> {
    let kept;
    try {
      kept = await this.hooks.store.load();
    } catch (e) {
      this.el.append(h("p", { class: "error" }, (e as Error).message));
      return;
    }
    if (!kept) return void (this.el.hidden = true);
    if (what === "download") return download(kept.meta.clean ? DISK_NAMES.clean : DISK_NAMES.unclean, kept.disk);
    this.el.hidden = true;
    this.hooks.status(`Booting your disk from ${when(kept.meta.savedAt)}.`, false, true);
    await this.hooks.boot({ floppy: kept.floppy, disk: kept.disk }, kept.config);
  }

  private async discard(): Promise<void> {
    if (!confirm("Discard the disk kept in this browser? It cannot be brought back.")) return;
    await DiskStore.discard();
    this.el.hidden = true;
    this.hooks.status("The kept disk was discarded.");
  }
}
