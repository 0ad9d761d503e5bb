// One image's map drawn to scale in SVG: the regions of the current view in a first row, their
// children in a second, each box at least MIN_W px wide (the true byte range is in its label).
// Hover or focus names the region, its byte, sector (and block) range and the HOWTO step that
// wrote it, in a box of fixed height below (nothing moves). Enter, a click or a tap zooms into a
// region (a file's run zooms to all of that file's clusters); "Zoom out" and "Whole image" go back.

import type { Region } from "../fs/views/maps.ts";
import type { SeeMap } from "../fs/views/see.ts";
import { layoutRow, zoomInto, zoomToFile, type View, type Placed } from "./maplayout.ts";
import { h } from "./dom.ts";

const NS = "http://www.w3.org/2000/svg";
export const MIN_W = 4;
const ROW1 = 40,
  ROW2 = 26,
  GAP = 6,
  AXIS = 16;

const STEP_TITLE: Record<string, string> = {
  "3.2": "3.2 the kernel",
  "3.3": "3.3 the initial ramdisk",
  "3.4": "3.4 the root device",
  "3.5": "3.5 the swap device",
  "3.6": "3.6 the DOS directory (the hard disk)",
  "3.7": "3.7 the boot floppy",
};

const n = (x: number) => Math.trunc(x).toLocaleString("en-US");

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  ...kids: (Node | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of kids) el.append(typeof c === "string" ? document.createTextNode(c) : c);
  return el;
}

/** A region's words: name, byte range, sectors (and blocks), the step. Offsets are the image's own. */
export function describeRegion(r: Region, map: SeeMap): string {
  const bytes = `bytes ${n(r.start)}–${n(r.end - 1)} (${n(r.end - r.start)} bytes)`;
  const sectors = `sectors ${n(Math.floor(r.start / 512))}–${n(Math.ceil(r.end / 512) - 1)}`;
  const blocks = r.unit === "block" ? `, blocks ${n(r.first)}–${n(r.last)} of ${n(r.unitSize)} bytes` : "";
  const clusters = r.clusters ? `, clusters ${n(r.clusters[0])}–${n(r.clusters[1])}` : "";
  const disk =
    map.diskOffset !== undefined
      ? `; on the disk: bytes ${n(map.diskOffset + r.start)}–${n(map.diskOffset + r.end - 1)}`
      : "";
  const content = r.content
    ? `; holds ${r.content.kind === "kernel" ? "the kernel" : r.content.kind === "initrd-gz" ? "the gzip'd initrd" : r.content.kind === "ext2" ? "an ext2 image" : r.content.kind === "swap" ? "swap space" : r.content.kind}, made in ${STEP_TITLE[r.content.step] ?? r.content.step}`
    : "";
  return `${r.name}: ${bytes}, ${sectors}${blocks}${clusters}${disk}. Written by HOWTO step ${STEP_TITLE[r.step] ?? r.step}${content}.`;
}

function boxLabel(p: Placed<Region>): string {
  return p.items.length === 1 ? p.items[0].name : `${p.items.length} regions`;
}

export class MapView {
  readonly el: HTMLElement;
  private stack: View<Region>[] = [];
  private svgBox: HTMLElement;
  private info: HTMLElement;
  private crumbs: HTMLElement;
  private width = 0;
  private focusKey?: string;

  constructor(readonly map: SeeMap) {
    this.svgBox = h("div", { class: "map-svg" });
    this.info = h(
      "p",
      { class: "map-info", "aria-live": "polite" },
      "Hover, tap or Tab to a region to see what it is; Enter or a click zooms in.",
    );
    this.crumbs = h("div", { class: "map-crumbs" });
    this.el = h(
      "div",
      { class: "map", "data-map": map.id },
      h("p", { class: "map-facts" }, map.facts),
      h(
        "div",
        { class: "map-tools" },
        h("button", { type: "button", class: "map-out", onclick: () => this.out() }, "Zoom out"),
        h("button", { type: "button", class: "map-whole", onclick: () => this.reset() }, "Whole image"),
        this.crumbs,
      ),
      this.svgBox,
      this.info,
    );
    this.reset();
    // Redrawn at the box's width: readable at 390 px, crisp at 1280.
    new ResizeObserver(() => {
      const w = Math.floor(this.svgBox.clientWidth);
      if (w && w !== this.width) {
        this.width = w;
        this.draw();
      }
    }).observe(this.svgBox);
  }

  get view(): View<Region> {
    return this.stack[this.stack.length - 1];
  }

  reset(): void {
    this.stack = [{ title: this.map.title, start: 0, end: this.map.size, items: this.map.regions }];
    this.draw();
  }

  out(): void {
    if (this.stack.length > 1) this.stack.pop();
    this.draw();
  }

  /** Zooms to a file's clusters or blocks; false when the map has no region of that path. */
  showFile(path: string): boolean {
    const v = zoomToFile(this.map.regions, path);
    if (!v) return false;
    this.stack.push(v);
    this.draw();
    return true;
  }

  /**
   * Zooms to a file of an ext2 image from its byte ranges in the image: its own blocks marked,
   * the blocks between them (other files', metadata, free) shown as such.
   */
  showRanges(path: string, ranges: [number, number][]): boolean {
    const rs = ranges.filter(([s, e]) => e > s && s >= 0 && e <= this.map.size).sort((a, b) => a[0] - b[0]);
    if (!rs.length) return false;
    const B = this.map.regions.find((r) => r.unit === "block")?.unitSize ?? 512;
    const unit = B === 512 ? "sector" : "block";
    const step = this.map.regions[0]?.step ?? "";
    const mk = (
      name: string,
      kind: Region["kind"],
      start: number,
      end: number,
      extra: Partial<Region> = {},
    ): Region => ({
      name,
      kind,
      start,
      end,
      unit,
      unitSize: B,
      first: Math.floor(start / B),
      last: Math.ceil(end / B) - 1,
      step,
      ...extra,
    });
    const items: Region[] = [];
    let at = rs[0][0];
    for (const [s, e] of rs) {
      if (s > at) items.push(mk("other blocks (metadata, other files, free)", "free", at, s));
      const last = items[items.length - 1];
      if (last?.path === path && last.end >= s) {
        last.end = Math.max(last.end, e);
        last.last = Math.ceil(last.end / B) - 1;
      } else items.push(mk(path, "file", Math.max(s, at), e, { path }));
      at = Math.max(at, e);
    }
    this.stack.push({ title: path, start: rs[0][0], end: at, items, highlight: path });
    this.draw();
    return true;
  }

  private zoom(p: Placed<Region>): void {
    const r = p.items[0];
    if (p.items.length > 1) {
      this.stack.push({ title: `${p.items.length} regions`, start: p.start, end: p.end, items: p.items });
    } else if (r.children?.length) {
      this.stack.push(zoomInto(r));
    } else if (r.path && this.view.highlight !== r.path) {
      const v = zoomToFile(this.map.regions, r.path);
      if (v) this.stack.push(v);
    } else {
      return;
    }
    this.draw();
  }

  private draw(): void {
    // Not in the page yet: drawn when the ResizeObserver gives the box its width.
    const W = this.width || this.svgBox.clientWidth;
    if (!W) return;
    const v = this.view;
    const row1 = layoutRow(v.items, v, W, MIN_W);
    const kids = v.items.flatMap((r) => r.children ?? []);
    const row2 = kids.length ? layoutRow(kids, v, W, MIN_W) : [];
    const H = ROW1 + (row2.length ? GAP + ROW2 : 0) + AXIS;
    const root = svg("svg", {
      width: W,
      height: H,
      viewBox: `0 0 ${W} ${H}`,
      role: "group",
      "aria-label": `${this.map.title}: ${v.title}, bytes ${n(v.start)}–${n(v.end - 1)}`,
    });
    const box = (p: Placed<Region>, y: number, hgt: number, row: number) => {
      const r = p.items[0];
      const kind = p.items.length > 1 ? "bundle" : r.kind;
      const key = `${row}:${p.start}:${p.end}`;
      const label =
        p.items.length > 1
          ? `${p.items.length} small regions (${p.items
              .slice(0, 3)
              .map((x) => x.name)
              .join(", ")}${p.items.length > 3 ? ", …" : ""}): bytes ${n(p.start)}–${n(p.end - 1)}. Enter zooms in.`
          : describeRegion(r, this.map);
      const g = svg(
        "g",
        {
          class: "region",
          tabindex: 0,
          role: "button",
          "data-kind": kind,
          "data-name": p.items.length > 1 ? "" : r.name,
          "data-start": p.start,
          "data-end": p.end,
          "data-key": key,
          "aria-label": label,
          ...(r.path ? { "data-path": r.path } : {}),
          ...(v.highlight && r.path === v.highlight ? { "data-mark": "1" } : {}),
        },
        svg("title", {}, label),
        svg("rect", { x: p.x + 0.5, y: y + 0.5, width: Math.max(1, p.w - 1), height: hgt - 1, rx: 2 }),
      );
      const text = boxLabel(p);
      // A label only where it fits (about 6.5 px a character at 11 px).
      if (p.w > 24) {
        const fit = Math.floor((p.w - 6) / 6.5);
        g.append(
          svg(
            "text",
            { x: p.x + 4, y: y + hgt / 2 + 4 },
            text.length > fit ? text.slice(0, Math.max(1, fit - 1)) + "…" : text,
          ),
        );
      }
      const show = () => {
        this.info.textContent = label;
      };
      g.addEventListener("mouseenter", show);
      g.addEventListener("focus", () => {
        this.focusKey = key;
        show();
      });
      g.addEventListener("click", () => {
        show();
        this.zoom(p);
      });
      g.addEventListener("keydown", (e) => {
        const ke = e as KeyboardEvent;
        if (ke.key === "Enter" || ke.key === " ") {
          e.preventDefault();
          this.zoom(p);
        } else if (ke.key === "Escape" || ke.key === "Backspace") {
          e.preventDefault();
          this.out();
        } else if (ke.key === "ArrowRight" || ke.key === "ArrowLeft") {
          e.preventDefault();
          const sib = ke.key === "ArrowRight" ? g.nextElementSibling : g.previousElementSibling;
          if (sib instanceof SVGGElement) sib.focus();
        }
      });
      return g;
    };
    const g1 = svg("g", { class: "row row1" }, ...row1.map((p) => box(p, 0, ROW1, 1)));
    root.append(g1);
    if (row2.length) root.append(svg("g", { class: "row row2" }, ...row2.map((p) => box(p, ROW1 + GAP, ROW2, 2))));
    const ay = H - 4;
    root.append(
      svg("text", { class: "axis", x: 2, y: ay }, n(v.start)),
      svg("text", { class: "axis", x: W - 2, y: ay, "text-anchor": "end" }, `${n(v.end)} bytes`),
    );
    const refocus = this.svgBox.contains(document.activeElement);
    this.svgBox.replaceChildren(root);
    this.crumbs.textContent = this.stack.map((s) => s.title).join(" › ");
    (this.el.querySelector(".map-out") as HTMLButtonElement).disabled = this.stack.length === 1;
    (this.el.querySelector(".map-whole") as HTMLButtonElement).disabled = this.stack.length === 1;
    // After a zoom the focus goes to the first box, so the keyboard stays in the map.
    if (refocus)
      (
        (root.querySelector(`g.region[data-key="${this.focusKey}"]`) as SVGGElement | null) ??
        (root.querySelector("g.region") as SVGGElement | null)
      )?.focus();
  }
}
