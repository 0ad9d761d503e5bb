// What the settings table (src/settings.ts) gives everyone else: the config's types, the defaults,
// a row by its path, and a setting's value read from text and written as text (for `--set`, the
// share link and the form's text boxes), so each of them types a value the same way.

import { SETTINGS, type SettingRow } from "./settings.ts";

type Row = (typeof SETTINGS)[number];
type ValueOf<R> = R extends { kind: "int" }
  ? number
  : R extends { kind: "bool" }
    ? boolean
    : R extends { kind: "text" }
      ? string
      : R extends { options: readonly { value: infer V }[] }
        ? V
        : never;

/** The settings of one group ("initrd" gives { sizeKiB: number; blockSize: 1024 | 2048 | 4096; ... }). */
export type SettingsGroup<G extends string> = {
  -readonly [R in Row as R["path"] extends `${G}.${infer K}` ? K : never]: ValueOf<R>;
};
/** The settings outside any group (name, time). */
export type TopSettings = {
  -readonly [R in Row as R["path"] extends `${string}.${string}` ? never : R["path"]]: ValueOf<R>;
};
/** The groups the table has ("initrd", "dos", ...). */
export type GroupName = Row["path"] extends infer P ? (P extends `${infer G}.${string}` ? G : never) : never;

/** A setting's value: every setting is a number, a text or a switch. */
export type Value = string | number | boolean;

export const ROWS: readonly SettingRow[] = SETTINGS;
const BY_PATH = new Map<string, SettingRow>(ROWS.map((r) => [r.path, r]));

/** The row of a dotted path; undefined for anything else (a group, a typo, "constructor"). */
export function rowOf(path: string): SettingRow | undefined {
  return BY_PATH.get(path);
}

/** The paths of a group's settings ("boot" -> boot.loadlinPath, ...), in the table's order. */
export function groupPaths(group: string): string[] {
  return ROWS.filter((r) => r.path.startsWith(group + ".")).map((r) => r.path);
}

/** The defaults as a nested object in the table's order (the order of every JSON config written). */
export function defaultsFromTable(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of ROWS) {
    const keys = r.path.split(".");
    let o = out;
    for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
    o[keys[keys.length - 1]] = r.default;
  }
  return out;
}

/** Every number a config holds is a size, a count or a time in whole units: 15 digits stay exact. */
export const MAX_DIGITS = 15;

/**
 * "16" -> 16; anything Number() would also take ("0x10", "0b10000", "+16", " 16", "1e1", "16.0",
 * "1e-400") -> undefined: a typo must not become another size.
 */
export function decimalNumber(raw: string): number | undefined {
  return new RegExp(`^[0-9]{1,${MAX_DIGITS}}$`).test(raw) ? Number(raw) : undefined;
}

/**
 * A setting's value from its text ("16", "true", "2.88M"), typed by its row: numbers in decimal
 * digits, booleans as true or false, anything else as the text itself (the checks judge it).
 * Throws a message (without the path) when the text cannot be that type.
 */
export function valueFromText(row: SettingRow, raw: string): Value {
  if (row.kind === "int" || (row.kind === "choice" && typeof row.default === "number")) {
    const n = decimalNumber(raw);
    if (n === undefined)
      throw new SettingTextError(`must be a whole number written in decimal digits 0-9 (at most ${MAX_DIGITS})`);
    return n;
  }
  if (row.kind === "bool") {
    if (raw !== "true" && raw !== "false") throw new SettingTextError("must be true or false");
    return raw === "true";
  }
  return raw;
}

/** The text valueFromText reads back to the same value. */
export function valueToText(v: Value): string {
  return String(v);
}

/** A setting's text that is not of its type (valueFromText). */
export class SettingTextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingTextError";
  }
}
