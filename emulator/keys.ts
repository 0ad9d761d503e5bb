// PC keyboard chords as scan codes, for engines that take them (v86) and the page's key bar.

/** PC scan codes (set 1); an extended key is 0xe0 then its code; a release adds 0x80. */
export const SCANCODES = {
  esc: [0x01],
  tab: [0x0f],
  ctrl: [0x1d],
  alt: [0x38],
  c: [0x2e],
  d: [0x20],
  del: [0xe0, 0x53],
  up: [0xe0, 0x48],
  down: [0xe0, 0x50],
  left: [0xe0, 0x4b],
  right: [0xe0, 0x4d],
} as const;
export type Key = keyof typeof SCANCODES;
const up = (k: readonly number[]) => k.map((b, i) => (i === k.length - 1 ? b | 0x80 : b));

/** Presses the keys in order, then releases them in reverse: a chord as a person types it. */
export function chordScancodes(keys: Key[]): number[] {
  return [...keys.flatMap((k) => SCANCODES[k]), ...[...keys].reverse().flatMap((k) => up(SCANCODES[k]))];
}

/** The PC's reboot request: the kernel hands it to init (SIGINT), which runs its ctrlaltdel action. */
export const CTRL_ALT_DEL: Key[] = ["ctrl", "alt", "del"];
