// The PC's VGA screen as a console that behaves like a terminal: while it has the focus every key
// goes to the guest (Esc, Tab and Ctrl combinations too) until Ctrl+Alt+Shift gives the keyboard
// back, like a VM console's host key; keys held when the focus leaves are released in the guest.
// The focus is a transparent text field over the screen, so a phone opens its soft keyboard; a key
// bar sends what a soft keyboard lacks (Esc, Tab, Ctrl-C, Ctrl-D, Ctrl-Alt-Del, arrows). The 80
// columns are scaled to the card's width. Beside them the v86 demo's tools: fullscreen, a picture of
// the screen, pause and the guest's instructions per second.

import type { BrowserEngine } from "../../emulator/v86-browser.ts";
import { V86_INSTRUCTIONS_PER_MS } from "../../emulator/machine.ts";
import { h, $, download } from "./dom.ts";
import { chordScancodes, type Key } from "../../emulator/keys.ts";

export interface ScreenHooks {
  engine(): BrowserEngine | undefined;
  /** Where the focus goes when the keyboard is given back. */
  after(): HTMLElement;
}

/** The host key: Ctrl, Alt and Shift held together, in any order. */
export const RELEASE_KEYS = "Ctrl+Alt+Shift";
const isRelease = (e: KeyboardEvent) =>
  e.ctrlKey && e.altKey && e.shiftKey && ["Control", "Alt", "Shift"].includes(e.key);

const KEY_BAR: { label: string; aria?: string; keys: Key[] }[] = [
  { label: "Esc", keys: ["esc"] },
  { label: "Tab", keys: ["tab"] },
  { label: "Ctrl-C", keys: ["ctrl", "c"] },
  { label: "Ctrl-D", keys: ["ctrl", "d"] },
  { label: "Ctrl-Alt-Del", keys: ["ctrl", "alt", "del"] },
  { label: "←", aria: "Left arrow", keys: ["left"] },
  { label: "↑", aria: "Up arrow", keys: ["up"] },
  { label: "↓", aria: "Down arrow", keys: ["down"] },
  { label: "→", aria: "Right arrow", keys: ["right"] },
];

export class ScreenConsole {
  readonly screen: HTMLElement;
  readonly input: HTMLTextAreaElement;
  readonly bar: HTMLElement;
  /** Keys the guest has seen go down and not up: released when the focus leaves. */
  private held = new Map<string, string>();
  private paused = false;
  private ips?: { at: number; ran: number };

  constructor(private hooks: ScreenHooks) {
    // v86 takes keys from a focused text field only when it has this class.
    this.input = h("textarea", {
      id: "screen-input",
      class: "phone_keyboard screen-input",
      autocapitalize: "off",
      autocomplete: "off",
      spellcheck: "false",
      rows: "1",
      "aria-label": `Keyboard of the emulated PC: while this has the focus, every key goes to the PC; ${RELEASE_KEYS} gives the keyboard back`,
      "aria-describedby": "screen-hint",
    }) as HTMLTextAreaElement;
    this.screen = h(
      "div",
      { id: "screen", class: "screen" },
      h("div", { class: "screen-text" }),
      h("canvas", { class: "screen-canvas", hidden: true }),
      this.input,
    );
    const keyButton = (k: (typeof KEY_BAR)[number]) =>
      h(
        "button",
        {
          type: "button",
          class: "key",
          "data-keys": k.keys.join("+"),
          ...(k.aria ? { "aria-label": k.aria } : {}),
          // A tap must not take the focus from the text field (the soft keyboard would close).
          onpointerdown: (e) => e.preventDefault(),
          onclick: () => this.send(k.keys),
        },
        k.label,
      );
    this.bar = h(
      "div",
      { class: "screen-bar" },
      h("div", { class: "keys", role: "toolbar", "aria-label": "Keys for the PC" }, ...KEY_BAR.map(keyButton)),
      h(
        "div",
        { class: "tools", role: "toolbar", "aria-label": "The screen" },
        h(
          "button",
          {
            type: "button",
            id: "screen-release",
            hidden: true,
            onpointerdown: (e) => e.preventDefault(),
            onclick: () => this.release(true),
          },
          `Release keyboard (${RELEASE_KEYS})`,
        ),
        h("button", { type: "button", id: "screen-full", onclick: () => void this.fullscreen() }, "Fullscreen"),
        h("button", { type: "button", id: "screen-shot", onclick: () => this.screenshot() }, "Screenshot"),
        h(
          "button",
          { type: "button", id: "screen-pause", "aria-pressed": "false", onclick: () => this.togglePause() },
          "Pause",
        ),
        h("span", { id: "screen-ips", class: "muted", "aria-hidden": "true" }),
      ),
    );
    this.input.addEventListener("focus", () => this.capture());
    this.input.addEventListener("blur", () => this.release(false));
    // Capture phase on the field: before v86's listener on window sees the key.
    this.input.addEventListener(
      "keydown",
      (e) => {
        if (isRelease(e)) {
          e.preventDefault();
          e.stopPropagation();
          // The modifiers already reached the guest: they are let go there (release() does that).
          this.held.set(e.code, e.key);
          this.release(true);
          return;
        }
        if (e.code) this.held.set(e.code, e.key);
      },
      true,
    );
    this.input.addEventListener("keyup", (e) => void this.held.delete(e.code), true);
    // The soft keyboard's text reaches v86 as input events; the field itself stays empty.
    this.input.addEventListener("input", () => queueMicrotask(() => (this.input.value = "")));
    this.screen.addEventListener("click", () => this.input.focus({ preventScroll: true }));
    new ResizeObserver(() => this.fit()).observe(this.screen);
    new MutationObserver(() => this.fit()).observe($(".screen-text", this.screen), { childList: true });
    setInterval(() => this.showIps(), 1000);
  }

  /** A new machine: keys go to it if the screen has the focus. */
  attached(engine: BrowserEngine): void {
    this.paused = false;
    this.ips = undefined;
    this.updatePause();
    if (document.activeElement === this.input) engine.setKeyboard(true);
  }

  private capture(): void {
    this.hooks.engine()?.setKeyboard(true);
    this.screen.dataset.captured = "true";
    $("#screen-release", this.bar).hidden = false;
  }

  /**
   * The guest gets a key-up for every key it saw go down (else Shift stays held there and the next
   * line comes out in capitals), then the keyboard is the page's again.
   */
  release(moveFocus: boolean): void {
    for (const [code, key] of this.held)
      this.input.dispatchEvent(new KeyboardEvent("keyup", { code, key, bubbles: true }));
    this.held.clear();
    this.hooks.engine()?.setKeyboard(false);
    delete this.screen.dataset.captured;
    $("#screen-release", this.bar).hidden = true;
    if (moveFocus && document.activeElement === this.input) this.hooks.after().focus();
  }

  /** A key bar chord: scan codes straight to the guest's keyboard controller. */
  send(keys: Key[]): void {
    void this.hooks.engine()?.emulator.keyboard_send_scancodes(chordScancodes(keys));
  }

  /** 80 columns in the card's width: the text is scaled down (never up), so nothing scrolls sideways. */
  private fit(): void {
    const text = $(".screen-text", this.screen);
    text.style.transform = "";
    this.screen.style.height = "";
    const natural = text.offsetWidth;
    const room = this.screen.clientWidth - 12;
    if (!natural || natural <= room) return;
    const s = room / natural;
    text.style.transform = `scale(${s})`;
    this.screen.style.height = `${Math.ceil(text.offsetHeight * s) + 16}px`;
  }

  private async fullscreen(): Promise<void> {
    try {
      await this.screen.requestFullscreen();
    } catch {
      // Refused (no user gesture, an iframe without permission): the screen stays where it is.
    }
    this.input.focus({ preventScroll: true });
  }

  /** The screen as a PNG: v86 draws text mode with the page's font, graphics modes as they are. */
  private screenshot(): void {
    const img = this.hooks.engine()?.emulator.screen_make_screenshot() as HTMLImageElement | null | undefined;
    if (!img?.src) return;
    const bytes = Uint8Array.from(atob(img.src.slice(img.src.indexOf(",") + 1)), (c) => c.charCodeAt(0));
    download("looproot-screen.png", bytes, "image/png");
  }

  private togglePause(): void {
    const e = this.hooks.engine()?.emulator;
    if (!e) return;
    this.paused = !this.paused;
    if (this.paused) void e.stop();
    else void e.run();
    this.updatePause();
  }

  private updatePause(): void {
    const b = $("#screen-pause", this.bar);
    b.textContent = this.paused ? "Resume" : "Pause";
    b.setAttribute("aria-pressed", String(this.paused));
  }

  /** Instructions per second, from the time the machine's CPU has run (v86's counter, machine.ts). */
  private showIps(): void {
    const out = $("#screen-ips", this.bar);
    const e = this.hooks.engine();
    if (!e) return void (out.textContent = "");
    const ran = e.ranMs?.() ?? 0,
      at = performance.now();
    const last = this.ips;
    this.ips = { at, ran };
    if (!last) return;
    // ranMs is the instruction counter over machine.ts's rate: back to instructions, per second.
    const mips = ((ran - last.ran) * V86_INSTRUCTIONS_PER_MS) / (at - last.at) / 1000;
    out.textContent = this.paused ? "paused" : `${mips.toFixed(0)} M instructions/s`;
  }

  get isPaused(): boolean {
    return this.paused;
  }
}
