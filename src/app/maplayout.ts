// The arithmetic of the image maps, apart from the drawing (so it is unit-tested): a row of
// regions laid out to scale over a view of the image, every region at least a minimum width (a
// 512-byte boot sector on a 48 MiB disk would be 0.005 px), runs of regions too small to draw
// bundled when they cannot all get that width, and the views that zooming walks through.
// Pure: no DOM.

export interface Span {
  start: number;
  end: number;
}

export interface Placed<T> {
  /** The region, or, for a bundle of tiny neighbours, all of them. */
  items: T[];
  /** Bytes this box stands for (its regions' true range, clipped to the view). */
  start: number;
  end: number;
  x: number;
  w: number;
}

/**
 * Lays `items` (in order, not overlapping) over `width` px for the bytes `view`: each box's
 * width is its share of the view, except that none is narrower than `minW`; what the narrow
 * ones gain is taken from the wide ones in proportion, so the row still spans exactly `width`.
 * Gaps between items count as space, as on the disk. When more than width / minW boxes would be
 * needed, consecutive items narrower than minW are bundled into one box until it reaches minW.
 */
export function layoutRow<T extends Span>(items: T[], view: Span, width: number, minW: number): Placed<T>[] {
  const len = view.end - view.start;
  if (!(len > 0) || !(width > 0)) return [];
  const scale = width / len;
  const clip = (s: Span): Span => ({ start: Math.max(view.start, s.start), end: Math.min(view.end, s.end) });
  let boxes: Placed<T>[] = [];
  for (const it of items) {
    const c = clip(it);
    if (c.end <= c.start) continue;
    boxes.push({ items: [it], start: c.start, end: c.end, x: 0, w: 0 });
  }
  if (!boxes.length) return [];
  // Gap space (before, between, after the items) keeps its natural width, so positions stay true where they can.
  const natural = (b: Span) => (b.end - b.start) * scale;
  if (boxes.length > Math.floor(width / minW)) {
    const merged: Placed<T>[] = [];
    let cur: Placed<T> | undefined;
    for (const b of boxes) {
      if (natural(b) >= minW) {
        if (cur) {
          merged.push(cur);
          cur = undefined;
        }
        merged.push(b);
        continue;
      }
      if (cur && b.start - cur.end <= 0) {
        cur.items.push(...b.items);
        cur.end = b.end;
      } else {
        if (cur) merged.push(cur);
        cur = { ...b, items: [...b.items] };
      }
      if (natural(cur) >= minW) {
        merged.push(cur);
        cur = undefined;
      }
    }
    if (cur) merged.push(cur);
    boxes = merged;
  }
  // Pieces of the row: boxes and the gaps between them, each with a natural width.
  const pieces: { box?: Placed<T>; nat: number }[] = [];
  let at = view.start;
  for (const b of boxes) {
    if (b.start > at) pieces.push({ nat: (b.start - at) * scale });
    pieces.push({ box: b, nat: natural(b) });
    at = b.end;
  }
  if (view.end > at) pieces.push({ nat: (view.end - at) * scale });
  const min = Math.min(minW, width / boxes.length);
  // Raise the narrow boxes to `min`; shrink the rest in proportion; repeat until none falls below.
  const fixed = new Set<number>();
  let widths = pieces.map((p) => p.nat);
  for (let round = 0; round <= pieces.length; round++) {
    for (let i = 0; i < pieces.length; i++) if (pieces[i].box && !fixed.has(i) && widths[i] < min) fixed.add(i);
    const fixedW = fixed.size * min;
    const freeNat = pieces.reduce((s, p, i) => (fixed.has(i) ? s : s + p.nat), 0);
    const k = freeNat > 0 ? Math.max(0, width - fixedW) / freeNat : 0;
    widths = pieces.map((p, i) => (fixed.has(i) ? min : p.nat * k));
    if (!pieces.some((p, i) => p.box && !fixed.has(i) && widths[i] < min - 1e-9)) break;
  }
  let x = 0;
  pieces.forEach((p, i) => {
    if (p.box) {
      p.box.x = x;
      p.box.w = widths[i];
    }
    x += widths[i];
  });
  return boxes;
}

/** A view of the map: the bytes shown and the regions drawn in its first row. */
export interface View<T> extends Span {
  title: string;
  items: T[];
  /** Regions to mark (a file's runs). */
  highlight?: string;
}

interface Tree extends Span {
  name: string;
  path?: string;
  children?: Tree[];
}

/** Zooming into a region: its own bytes, its children in the first row (or itself when it has none). */
export function zoomInto<T extends Tree>(r: T): View<T> {
  return {
    title: r.name,
    start: r.start,
    end: r.end,
    items: (r.children as T[] | undefined)?.length ? (r.children as T[]) : [r],
  };
}

/** Every region of a tree, depth first. */
export function flatten<T extends Tree>(regions: T[], out: T[] = []): T[] {
  for (const r of regions) {
    out.push(r);
    if (r.children) flatten(r.children as T[], out);
  }
  return out;
}

/**
 * Zooming to a file: the bytes from its first run to the end of its last, with the regions that
 * share the file's row (its runs and whatever lies between them) drawn, its own runs marked.
 */
export function zoomToFile<T extends Tree>(regions: T[], path: string): View<T> | undefined {
  const all = flatten(regions);
  const runs = all.filter((r) => r.path === path && !r.children?.length);
  if (!runs.length) return undefined;
  const start = Math.min(...runs.map((r) => r.start)),
    end = Math.max(...runs.map((r) => r.end));
  // The row the runs belong to: the leaves under the smallest region holding all of them.
  const holders = all.filter(
    (r) =>
      r.children?.length &&
      r.start <= start &&
      r.end >= end &&
      runs.every((x) => flatten(r.children as T[]).includes(x)),
  );
  const holder = holders.sort((a, b) => a.end - a.start - (b.end - b.start))[0];
  const row = (holder ? (holder.children as T[]) : regions).filter((r) => r.end > start && r.start < end);
  return { title: path, start, end, items: row, highlight: path };
}
