// The page's "See inside" card: the maps of the floppy, the disk, the root image inside the
// partition and the initrd (mapview.ts), a file browser for each filesystem (files.ts), and for a
// disk the guest changed, what changed against the disk it booted from (src/fs/views/seediff.ts). The
// reports come from the worker; this card only draws them and reads single files on request.

import type { SeeReport, SeeMap, SeeVolume, MapId, VolumeId } from "../fs/views/see.ts";
import type { VolumeDiff } from "../fs/views/seediff.ts";
import { MapView } from "./mapview.ts";
import { FileBrowser } from "./files.ts";
import { h, $ } from "./dom.ts";

export interface SeeImages {
  floppy?: Uint8Array;
  disk?: Uint8Array;
}

export interface SeeHooks {
  /** The worker's report for a copy of these images (the copy comes back), with a diff when `base` is given. */
  ask(images: SeeImages, base?: SeeReport): Promise<{ report: SeeReport; diff?: VolumeDiff[]; images: SeeImages }>;
  /**
   * The disk as the guest has it now (running: after asking it to sync; shut down), or no disk;
   * `unsynced` when a running guest did not answer the sync. ask() copies it.
   */
  currentDisk(): Promise<{ disk?: Uint8Array; unsynced?: boolean }>;
}

const MAP_TAB: Record<MapId, string> = { floppy: "Floppy", disk: "Hard disk", root: "Root image", initrd: "Initrd" };
const VOL_TAB: Record<VolumeId, string> = {
  floppy: "A: floppy",
  partition: "C: partition",
  root: "Root image",
  initrd: "Initrd",
};

interface Shown {
  images: SeeImages;
  report: SeeReport;
  initrd?: Uint8Array;
  label: string;
  diff?: VolumeDiff[];
}

export class SeeInside {
  readonly el: HTMLElement;
  private base?: Shown;
  private shown?: Shown;
  private mapId: MapId = "disk";
  private volId: VolumeId = "root";
  private maps = new Map<MapId, MapView>();
  private pending?: () => Promise<void>;

  constructor(private hooks: SeeHooks) {
    this.el = h(
      "section",
      { class: "card", id: "see-card", "aria-labelledby": "see-h" },
      h("h2", { id: "see-h" }, "See inside ", h("span", { id: "see-what", class: "muted" })),
      h(
        "div",
        { class: "see-bar" },
        h(
          "button",
          { id: "see-compare", type: "button", disabled: true, onclick: () => void this.compare() },
          "Compare the disk now with the one it booted from",
        ),
        h(
          "button",
          { id: "see-load", type: "button", hidden: true, onclick: () => void this.pending?.() },
          "Read the kept disk",
        ),
        h("span", { id: "see-status", class: "hint", role: "status" }),
      ),
      h("div", { id: "see-diff" }),
      h("h3", {}, "Maps, to scale"),
      h("div", { id: "see-map-tabs", class: "tabs", role: "toolbar", "aria-label": "Which image's map" }),
      h("div", { id: "see-map" }, h("p", { class: "muted" }, "Build (or open images) to see their maps.")),
      h("h3", {}, "Files"),
      h("div", { id: "see-file-tabs", class: "tabs", role: "toolbar", "aria-label": "Which filesystem's files" }),
      h("div", { id: "see-files" }),
      h("p", { id: "see-problems", class: "error" }),
    );
  }

  private status(t: string): void {
    $("#see-status", this.el).textContent = t;
  }

  /** Images a boot starts from (built or opened), with their report: what a later compare is against. */
  setImages(images: SeeImages, report: SeeReport | undefined, label: string): void {
    this.pending = undefined;
    ($("#see-load", this.el) as HTMLButtonElement).hidden = true;
    if (!report) return;
    this.base = { images, report, initrd: report.initrd, label };
    this.render(this.base);
    this.update();
  }

  /** A disk kept in the browser: read (and compared with its build) only when asked, as it costs a copy. */
  setKept(images: Required<SeeImages>, built: Required<SeeImages> | undefined): void {
    const b = $("#see-load", this.el) as HTMLButtonElement;
    b.hidden = false;
    this.pending = async () => {
      b.disabled = true;
      this.status("Reading the kept disk…");
      try {
        const baseR = built ? await this.hooks.ask(built) : undefined;
        if (baseR)
          this.base = { images: built!, report: baseR.report, initrd: baseR.report.initrd, label: "the built images" };
        this.update();
        const now = await this.hooks.ask(images, baseR?.report);
        this.render({
          images: now.images,
          report: now.report,
          initrd: now.report.initrd,
          label: "the kept disk",
          ...(now.diff ? { diff: now.diff } : {}),
        });
        b.hidden = true;
        this.status("");
      } catch (e) {
        this.status(`Could not read it: ${(e as Error).message}`);
      } finally {
        b.disabled = false;
      }
    };
  }

  /**
   * Compare is on once there are images to compare with; whether the guest has a disk yet is
   * asked when it is pressed (a shutdown leaves its disk without the page being told).
   */
  update(): void {
    ($("#see-compare", this.el) as HTMLButtonElement).disabled = !this.base;
  }

  async compare(): Promise<void> {
    const base = this.base;
    if (!base) return;
    this.status("Asking the guest to write its caches out (sync)…");
    const { disk, unsynced } = await this.hooks.currentDisk();
    if (!disk) return this.status("Nothing to compare yet: boot these images first.");
    // Without a sync the guest's last writes may still be in its memory: the list would be partial.
    const partial = unsynced
      ? " The guest did not answer sync, so its latest writes may be missing from this list."
      : "";
    this.status("Reading the disk as the guest has it…");
    const t0 = performance.now();
    try {
      const r = await this.hooks.ask({ disk }, base.report);
      // The floppy is never written by the guest: its map and files stay the built ones.
      const keepIds = new Set(r.report.maps.map((m) => m.id));
      const report: SeeReport = {
        maps: [
          ...base.report.maps.filter((m) => !keepIds.has(m.id) && (m.id === "floppy" || m.id === "initrd")),
          ...r.report.maps,
        ],
        volumes: [...base.report.volumes.filter((v) => v.id === "floppy" || v.id === "initrd"), ...r.report.volumes],
        problems: r.report.problems,
      };
      this.render({
        images: { floppy: base.images.floppy, disk: r.images.disk },
        report,
        initrd: base.initrd,
        label: "the disk as the guest left it",
        ...(r.diff ? { diff: r.diff } : {}),
      });
      this.status(`Read in ${Math.round(performance.now() - t0)} ms.${partial}`);
    } catch (e) {
      this.status(`Could not read the disk: ${(e as Error).message}`);
    }
  }

  private render(s: Shown): void {
    this.shown = s;
    this.maps.clear();
    $("#see-what", this.el).textContent = `(${s.label})`;
    const ids = s.report.maps.map((m) => m.id);
    if (!ids.includes(this.mapId)) this.mapId = ids[0] ?? "disk";
    const vids = s.report.volumes.map((v) => v.id);
    if (!vids.includes(this.volId)) this.volId = vids[0] ?? "root";
    this.renderDiff(s);
    this.renderMapTabs();
    this.renderFileTabs();
    $("#see-problems", this.el).textContent = s.report.problems.map((p) => `${p.part}: ${p.message}`).join("\n");
  }

  private renderDiff(s: Shown): void {
    const box = $("#see-diff", this.el);
    if (!s.diff) return box.replaceChildren();
    const n = s.diff.reduce((k, d) => k + d.added.length + d.removed.length + d.changed.length, 0);
    box.replaceChildren(
      h(
        "div",
        {},
        h("h3", {}, `What changed against ${this.base?.label ?? "the built disk"}`),
        n === 0 ? h("p", {}, "Nothing: every file is as it was built.") : null,
        ...s.diff
          .filter((d) => d.added.length + d.removed.length + d.changed.length)
          .map((d) =>
            h(
              "div",
              { class: "diff-vol", "data-volume": d.id },
              h("h4", {}, d.title),
              h(
                "ul",
                { class: "diff-list" },
                ...d.added.map((f) =>
                  h(
                    "li",
                    { "data-change": "added", "data-path": f.path },
                    h("span", { class: "diff-mark" }, "+ added "),
                    h("code", {}, f.path),
                    ` (${f.kind === "dir" ? "directory" : `${f.size.toLocaleString("en-US")} bytes`})`,
                  ),
                ),
                ...d.changed.map((c) =>
                  h(
                    "li",
                    { "data-change": "changed", "data-path": c.path },
                    h("span", { class: "diff-mark" }, "~ changed "),
                    h("code", {}, c.path),
                    ` (${c.what.join(", ")}${c.what.includes("size") ? `: ${c.before.size.toLocaleString("en-US")} → ${c.after.size.toLocaleString("en-US")} bytes` : ""})`,
                  ),
                ),
                ...d.removed.map((f) =>
                  h(
                    "li",
                    { "data-change": "removed", "data-path": f.path },
                    h("span", { class: "diff-mark" }, "− removed "),
                    h("code", {}, f.path),
                  ),
                ),
              ),
            ),
          ),
      ),
    );
  }

  private tabs(
    el: HTMLElement,
    items: { id: string; label: string }[],
    current: string,
    pick: (id: string) => void,
  ): void {
    el.replaceChildren(
      ...items.map((t) =>
        h(
          "button",
          { type: "button", "data-tab": t.id, "aria-pressed": String(t.id === current), onclick: () => pick(t.id) },
          t.label,
        ),
      ),
    );
  }

  private renderMapTabs(): void {
    const s = this.shown!;
    this.tabs(
      $("#see-map-tabs", this.el),
      s.report.maps.map((m) => ({ id: m.id, label: MAP_TAB[m.id] })),
      this.mapId,
      (id) => {
        this.mapId = id as MapId;
        this.renderMapTabs();
      },
    );
    const m = s.report.maps.find((x) => x.id === this.mapId);
    $("#see-map", this.el).replaceChildren(m ? this.mapView(m).el : h("p", { class: "muted" }, "No map."));
  }

  private mapView(m: SeeMap): MapView {
    let v = this.maps.get(m.id);
    if (!v) this.maps.set(m.id, (v = new MapView(m)));
    return v;
  }

  private renderFileTabs(): void {
    const s = this.shown!;
    this.tabs(
      $("#see-file-tabs", this.el),
      s.report.volumes.map((v) => ({ id: v.id, label: VOL_TAB[v.id] })),
      this.volId,
      (id) => {
        this.volId = id as VolumeId;
        this.renderFileTabs();
      },
    );
    const v = s.report.volumes.find((x) => x.id === this.volId);
    $("#see-files", this.el).replaceChildren(v ? this.browser(v, s).el : h("p", { class: "muted" }, "No files."));
  }

  private browser(v: SeeVolume, s: Shown): FileBrowser {
    const diff = s.diff?.find((d) => d.id === v.id);
    const mapOf: Record<VolumeId, MapId> = { floppy: "floppy", partition: "disk", root: "root", initrd: "initrd" };
    const map = s.report.maps.find((m) => m.id === mapOf[v.id]);
    // An ext2 file is found on its image's map by its byte ranges there: the initrd's extents are
    // its own offsets; the root image's are the disk's, which map back when it lies in one piece.
    const ext2Shift = v.id === "initrd" ? 0 : v.id === "root" ? map?.diskOffset : undefined;
    const canShow = !!map && (v.id === "floppy" || v.id === "partition" || ext2Shift !== undefined);
    return new FileBrowser(v, {
      source: () => (v.source === "initrd" ? s.initrd : v.source === "floppy" ? s.images.floppy : s.images.disk),
      ...(diff ? { diff } : {}),
      ...(canShow
        ? {
            onShowOnMap: (f) => {
              this.mapId = map!.id;
              this.renderMapTabs();
              const view = this.mapView(map!);
              if (ext2Shift === undefined || v.id === "floppy" || v.id === "partition") view.showFile(f.path);
              else
                view.showRanges(
                  f.path,
                  f.extents.map(([, src, len]) => [src - ext2Shift, src - ext2Shift + len]),
                );
              $("#see-map", this.el).scrollIntoView({ block: "nearest" });
            },
          }
        : {}),
    });
  }

  /** Opens a path in a volume's browser (for links and tests). */
  openFile(vol: VolumeId, path: string): void {
    this.volId = vol;
    this.renderFileTabs();
    const s = this.shown!;
    const v = s.report.volumes.find((x) => x.id === vol);
    if (!v) return;
    const b = this.browser(v, s);
    $("#see-files", this.el).replaceChildren(b.el);
    b.open(path);
  }
}
