// The serial console's input line: Enter sends the line to the guest's shell, Tab on a started
// line completes it as a terminal would.

import type { BrowserEngine } from "../../emulator/v86-browser.ts";
import { $ } from "./dom.ts";

/**
 * Tab on a started line: the line so far and a Tab go to the guest's shell, which then holds the
 * line (its echo shows the completion); typing goes on from there and Enter ends it. Tab on an
 * empty line moves the focus on, as everywhere on the page.
 */
export function serialKey(e: KeyboardEvent, engine: BrowserEngine | undefined): void {
  const input = e.target as HTMLInputElement;
  if (e.key !== "Tab" || e.shiftKey || e.ctrlKey || e.altKey || !input.value || !engine) return;
  e.preventDefault();
  engine.sendSerial(input.value + "\t");
  input.value = "";
}

export function sendSerialLine(engine: BrowserEngine | undefined): void {
  const input = $("#serial-in") as HTMLInputElement;
  if (!engine) return;
  engine.sendSerial(input.value + "\n");
  input.value = "";
}
