// Text from the user or from an image, made safe to put in a message: a terminal obeys control
// characters (ESC retitles or clears the screen, CR overwrites a line, a newline forges one), and a
// page shows them as nothing at all. Both the CLI and the page show messages through this.

import { fmt } from "./fmt.ts";

/** The longest value a message repeats whole; longer ones are cut and say how long they were. */
export const SAFE_MAX_CHARS = 200;

// C0 controls, DEL, C1 controls, the line and paragraph separators, and the bidirectional
// overrides and isolates (they reorder what follows them on the screen).
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escape(ch: string): string {
  const c = ch.charCodeAt(0);
  return c <= 0xff ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u${c.toString(16).padStart(4, "0")}`;
}

/**
 * `s` with every control character shown escaped (ESC as `\x1b`, a newline as `\x0a`) and, past
 * `max` characters, cut with its length: "abc... (10,000 characters)". Lone surrogates are shown
 * as `\udXXX` too, so the result is always well-formed text.
 */
export function safeText(s: string, max = SAFE_MAX_CHARS): string {
  const cut = s.length > max;
  let head = cut ? s.slice(0, max) : s;
  head = head
    .replace(UNSAFE, escape)
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, escape);
  return cut ? `${head}... (${fmt(s.length)} characters)` : head;
}

/** A whole message, one line of it at a time: control characters escaped, each line cut at `max`. */
export function safeLines(message: string, max = 1000): string[] {
  return message.split("\n").map((l) => safeText(l, max));
}
