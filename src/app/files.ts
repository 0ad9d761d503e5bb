// A file browser for one filesystem of the See-inside report: a directory at a time, with sizes,
// modes (or DOS attributes), owners, times, symlink targets and device numbers; text files are
// shown in place and any file downloads. A file's bytes are read from the image it lies in,
// through its extents, only when asked (nothing is unpacked for the listing).

import type { SeeFile, SeeVolume } from "../fs/views/see.ts";
import { readExtents } from "../fs/views/see.ts";
import type { VolumeDiff } from "../fs/views/seediff.ts";
import { h, download } from "./dom.ts";

/** Largest file shown as text in the page (it downloads whatever its size). */
export const VIEW_MAX_BYTES = 256 * 1024;

const TYPE: Record<SeeFile["kind"], string> = {
  dir: "d",
  symlink: "l",
  chardev: "c",
  blockdev: "b",
  fifo: "p",
  socket: "s",
  file: "-",
  hardlink: "-",
};

export function modeString(f: SeeFile): string {
  if (f.mode === undefined) {
    const a = f.attributes ?? 0;
    return (
      (f.kind === "dir" ? "d" : "-") + ["R", "H", "S", "V", "D", "A"].map((c, i) => (a & (1 << i) ? c : "-")).join("")
    );
  }
  let s = TYPE[f.kind];
  for (let i = 2; i >= 0; i--) {
    const b = (f.mode >> (i * 3)) & 7;
    s += (b & 4 ? "r" : "-") + (b & 2 ? "w" : "-") + (b & 1 ? "x" : "-");
  }
  if (f.mode & 0o4000) s = s.slice(0, 3) + (s[3] === "x" ? "s" : "S") + s.slice(4);
  if (f.mode & 0o2000) s = s.slice(0, 6) + (s[6] === "x" ? "s" : "S") + s.slice(7);
  if (f.mode & 0o1000) s = s.slice(0, 9) + (s[9] === "x" ? "t" : "T");
  return s;
}

const when = (t: number) => (t ? new Date(t * 1000).toISOString().slice(0, 16).replace("T", " ") : "");

/** Text if it decodes as UTF-8 and has no NULs or stray control bytes in its first 4 KiB. */
export function looksLikeText(b: Uint8Array): boolean {
  const head = b.subarray(0, 4096);
  for (const x of head)
    if (x === 0 || (x < 32 && x !== 9 && x !== 10 && x !== 13 && x !== 12 && x !== 27)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(
      head.length < b.length ? head.subarray(0, Math.max(0, head.length - 4)) : head,
    );
    return true;
  } catch {
    return false;
  }
}

export interface FileBrowserOptions {
  /** The bytes the volume's extents point into. */
  source: () => Uint8Array | undefined;
  /** What changed on this volume, to mark in the listing. */
  diff?: VolumeDiff;
  /** Shows a file's clusters or blocks on the map, when the map has them. */
  onShowOnMap?: (f: SeeFile) => void;
}

export class FileBrowser {
  readonly el: HTMLElement;
  private cwd: string;
  private listEl: HTMLElement;
  private viewEl: HTMLElement;
  private pathEl: HTMLElement;
  private change = new Map<string, string>();
  private fat: boolean;

  constructor(
    readonly volume: SeeVolume,
    private opts: FileBrowserOptions,
  ) {
    this.fat = volume.files.length > 0 && volume.files[0].mode === undefined;
    this.cwd = this.fat ? "" : "/";
    for (const f of opts.diff?.added ?? []) this.change.set(f.path, "added");
    for (const c of opts.diff?.changed ?? []) this.change.set(c.path, `changed: ${c.what.join(", ")}`);
    this.pathEl = h("p", { class: "files-path" });
    this.listEl = h("div", { class: "files-list" });
    this.viewEl = h("div", { class: "files-view", hidden: true });
    this.el = h("div", { class: "files", "data-volume": volume.id }, this.pathEl, this.listEl, this.viewEl);
    this.render();
  }

  private parentOf(p: string): string {
    const sep = this.fat ? "\\" : "/";
    const i = p.lastIndexOf(sep);
    if (this.fat) return i < 0 ? "" : p.slice(0, i);
    return i <= 0 ? "/" : p.slice(0, i);
  }

  private nameOf(p: string): string {
    return p.slice(p.lastIndexOf(this.fat ? "\\" : "/") + 1);
  }

  /** Opens a directory (or a file's directory, showing the file). */
  open(path: string): void {
    const f = this.volume.files.find((x) => x.path === path);
    if (f && f.kind !== "dir") {
      this.cwd = this.parentOf(path);
      this.render();
      this.view(f);
      return;
    }
    this.cwd = path;
    this.render();
  }

  private render(): void {
    const here = this.volume.files.filter(
      (f) => f.path !== this.cwd && (this.fat ? f.path !== "" : f.path !== "/") && this.parentOf(f.path) === this.cwd,
    );
    here.sort((a, b) => Number(b.kind === "dir") - Number(a.kind === "dir") || (a.path < b.path ? -1 : 1));
    const shown = this.fat ? `C:\\${this.cwd}`.replace(/^C:/, this.volume.id === "floppy" ? "A:" : "C:") : this.cwd;
    this.pathEl.replaceChildren(
      "Directory ",
      h("code", {}, shown),
      ` · ${here.length} entr${here.length === 1 ? "y" : "ies"}`,
    );
    const up = (this.fat ? this.cwd !== "" : this.cwd !== "/")
      ? h(
          "tr",
          {},
          h(
            "td",
            { colspan: 6 },
            h(
              "button",
              { type: "button", class: "link", onclick: () => this.open(this.parentOf(this.cwd)) },
              "↑ .. (up)",
            ),
          ),
        )
      : null;
    const rows = here.map((f) => {
      const name = this.nameOf(f.path);
      const extra =
        f.kind === "symlink"
          ? `→ ${f.target}`
          : f.kind === "hardlink"
            ? `hard link to ${f.target}`
            : f.kind === "chardev" || f.kind === "blockdev"
              ? `device ${f.major}, ${f.minor}`
              : "";
      const ch = this.change.get(f.path);
      return h(
        "tr",
        { "data-path": f.path, ...(ch ? { "data-change": ch.split(":")[0] } : {}) },
        h(
          "td",
          { class: "fname" },
          f.kind === "dir"
            ? h(
                "button",
                {
                  type: "button",
                  class: "link",
                  onclick: () => this.open(f.path),
                  "aria-label": `Open directory ${name}`,
                },
                `${name}${this.fat ? "\\" : "/"}`,
              )
            : h(
                "button",
                { type: "button", class: "link", onclick: () => this.view(f), "aria-label": `Show ${name}` },
                name,
              ),
          ch ? h("span", { class: "change" }, ` (${ch})`) : null,
        ),
        h("td", { class: "num" }, f.kind === "dir" ? "" : f.size.toLocaleString("en-US")),
        h("td", { class: "mono" }, modeString(f)),
        h("td", { class: "mono" }, f.uid === undefined ? "" : `${f.uid}:${f.gid}`),
        h("td", { class: "mono" }, when(f.mtime)),
        h("td", { class: "extra" }, extra),
      );
    });
    this.listEl.replaceChildren(
      h(
        "table",
        { class: "listing files-table" },
        h("caption", { class: "sr-only" }, `${this.volume.title}: ${shown}`),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...["name", "size", this.fat ? "attributes" : "mode", this.fat ? "" : "owner", "modified (UTC)", ""].map(
              (t) => h("th", { scope: "col" }, t),
            ),
          ),
        ),
        h("tbody", {}, up, ...rows),
      ),
    );
    this.viewEl.hidden = true;
  }

  private bytes(f: SeeFile, max?: number): Uint8Array | undefined {
    const src = this.opts.source();
    return src ? readExtents(src, f, max) : undefined;
  }

  /** Shows a file: its facts, its text when it is text, a download button. */
  view(f: SeeFile): void {
    const name = this.nameOf(f.path);
    const head = f.kind === "file" || f.kind === "hardlink" ? this.bytes(f, VIEW_MAX_BYTES + 1) : undefined;
    const text =
      head && head.length <= VIEW_MAX_BYTES && looksLikeText(head) ? new TextDecoder().decode(head) : undefined;
    const facts = [
      `${f.size.toLocaleString("en-US")} bytes`,
      modeString(f),
      f.uid !== undefined ? `owner ${f.uid}:${f.gid}` : "",
      f.ino ? `inode ${f.ino}` : "",
      when(f.mtime),
      f.kind === "symlink" ? `symlink to ${f.target}` : "",
      f.kind === "chardev" || f.kind === "blockdev"
        ? `${f.kind === "chardev" ? "character" : "block"} device ${f.major}, ${f.minor}`
        : "",
      f.extents.length
        ? `${f.extents.length} extent${f.extents.length === 1 ? "" : "s"} in the ${this.volume.source === "initrd" ? "unpacked initrd" : this.volume.source}`
        : "",
    ]
      .filter(Boolean)
      .join(" · ");
    this.viewEl.replaceChildren(
      h(
        "div",
        {},
        h("h4", {}, h("code", {}, f.path)),
        h("p", { class: "muted" }, facts),
        h(
          "div",
          { class: "files-actions" },
          f.kind === "file" || f.kind === "hardlink"
            ? h(
                "button",
                {
                  type: "button",
                  class: "files-download",
                  onclick: () => {
                    const b = this.bytes(f);
                    if (b) download(name, b);
                  },
                },
                `Download ${name}`,
              )
            : null,
          this.opts.onShowOnMap && f.extents.length
            ? h(
                "button",
                { type: "button", class: "files-onmap", onclick: () => this.opts.onShowOnMap!(f) },
                "Show on the map",
              )
            : null,
          h(
            "button",
            {
              type: "button",
              onclick: () => {
                this.viewEl.hidden = true;
              },
            },
            "Close",
          ),
        ),
        text !== undefined
          ? h("pre", { class: "files-text", tabindex: 0, "aria-label": `Contents of ${f.path}` }, text)
          : head
            ? h(
                "p",
                { class: "muted" },
                !looksLikeText(head) ? "Not text: download it." : "Too large to show here: download it.",
              )
            : null,
      ),
    );
    this.viewEl.hidden = false;
  }
}
