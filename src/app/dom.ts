// A few DOM helpers so the app can stay plain TypeScript.

import { sparseBlob } from "./pieces.ts";

type Attrs = Record<string, string | number | boolean | undefined | ((ev: Event) => void)>;
type Child = Node | string | null | undefined | false;

/** h("button", { class: "x", onclick: f }, "text", child) */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

export function $(selector: string, root: ParentNode = document): HTMLElement {
  const el = root.querySelector(selector);
  if (!el) throw new Error(`page: ${selector} is missing`);
  return el as HTMLElement;
}

export const fmtBytes = (n: number) => n.toLocaleString("en-US") + " bytes";

export function fmtSize(n: number): string {
  if (n >= 1048576) return `${(n / 1048576).toFixed(n % 1048576 ? 2 : 0)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 ? 1 : 0)} KiB`;
  return `${n} bytes`;
}

export const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

/** A stable id from a config path: "swap.sizeMiB" -> "swap-sizeMiB". */
export const idOf = (path: string) => path.replace(/[^A-Za-z0-9]/g, "-");

/** Starts a download of bytes under a file name (a Blob of their pieces: a 2 GiB disk is not copied whole). */
export function download(name: string, data: Uint8Array | string, type = "application/octet-stream"): void {
  const blob = typeof data === "string" ? new Blob([data], { type }) : sparseBlob(data, type);
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Copies text to the clipboard; without one, selects it where the page shows it (`shownIn`) so Ctrl-C copies it. */
export async function copyText(text: string, buttonSel: string, shownIn?: string): Promise<void> {
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
