// A very small terminal for the serial console panel: enough of a VT100 for what the kernel and
// busybox's ash send (CR, LF, backspace, "erase to end of line", colour codes), as plain text lines.

export class TextTerminal {
  private lines: string[] = [""];
  private col = 0;
  private esc = "";
  /** Complete lines already handed out by drain(). */
  private drained = 0;
  /** The screen was cleared since the last drain(). */
  private cleared = false;
  /** Lines kept; older ones scroll away. Lines matching `hide` are left out of drain()'s view. */
  constructor(
    private readonly maxLines = 2000,
    private readonly hide?: RegExp,
  ) {}

  write(text: string): void {
    for (const ch of text) {
      if (this.esc) {
        this.esc += ch;
        // A CSI sequence ends at its final byte (@..~); other ESC sequences after one character.
        if (this.esc.length === 2 && ch !== "[") this.esc = "";
        else if (this.esc.length > 2 && ch >= "@" && ch <= "~") {
          this.csi(this.esc);
          this.esc = "";
        } else if (this.esc.length > 32) this.esc = "";
        continue;
      }
      switch (ch) {
        case "\x1b":
          this.esc = ch;
          break;
        case "\r":
          this.col = 0;
          break;
        case "\n":
          this.lines.push("");
          this.col = 0;
          if (this.lines.length > this.maxLines) {
            const gone = this.lines.length - this.maxLines;
            this.lines.splice(0, gone);
            this.drained = Math.max(0, this.drained - gone);
          }
          break;
        case "\b":
          if (this.col > 0) this.col--;
          break;
        case "\t":
          this.put(" ".repeat(8 - (this.col % 8)));
          break;
        case "\x07":
          break;
        default:
          if (ch < " " || ch === "\x7f") break;
          this.put(ch);
      }
    }
  }

  private put(s: string): void {
    const i = this.lines.length - 1;
    const line = this.lines[i].padEnd(this.col);
    this.lines[i] = line.slice(0, this.col) + s + line.slice(this.col + s.length);
    this.col += s.length;
  }

  private csi(seq: string): void {
    const final = seq[seq.length - 1];
    const n = Number(seq.slice(2, -1)) || 0;
    const i = this.lines.length - 1;
    if (final === "K") {
      // 0: to the end of the line, 1: to the cursor, 2: the whole line.
      if (n === 0) this.lines[i] = this.lines[i].slice(0, this.col);
      else if (n === 2) this.lines[i] = "";
    } else if (final === "D") this.col = Math.max(0, this.col - (n || 1));
    else if (final === "C") this.col += n || 1;
    else if (final === "J" && n === 2) {
      this.lines = [""];
      this.col = 0;
      this.drained = 0;
      this.cleared = true;
    }
  }

  text(): string {
    return this.lines.map((l) => l.trimEnd()).join("\n");
  }

  clear(): void {
    this.lines = [""];
    this.col = 0;
    this.esc = "";
    this.drained = 0;
    this.cleared = true;
  }

  /**
   * What changed since the last call, for a view that appends: the lines completed since then
   * (each ending in "\n"; they never change again), the line being written, and whether the view
   * must first throw away what it shows (the screen was cleared).
   */
  drain(): { reset: boolean; complete: string; current: string } {
    const done = this.lines
      .slice(this.drained, -1)
      .filter((l) => !this.hide?.test(l))
      .map((l) => l.trimEnd() + "\n")
      .join("");
    this.drained = this.lines.length - 1;
    const reset = this.cleared;
    this.cleared = false;
    const current = this.lines[this.lines.length - 1];
    return { reset, complete: done, current: this.hide?.test(current) ? "" : current.trimEnd() };
  }
}
