// The command line's words: options, --set KEY=VALUE, and the config they make (--config, --set,
// --rootfs on top of the defaults or of what boot found was built).

import { defaultConfig, mergeConfig, type LooprootConfig } from "../config.ts";
import { readInputFile, utf8Text } from "./files.ts";
import { UsageError, inputFileError } from "./errors.ts";
import { safeText } from "../util/safe.ts";
import { fmt } from "../util/fmt.ts";
import {
  rowOf,
  groupPaths,
  valueFromText,
  decimalNumber,
  SettingTextError,
  MAX_DIGITS,
  type Value,
} from "../schema.ts";

export interface ParsedArgs {
  command: string;
  opts: Map<string, string>;
  sets: string[];
  flags: Set<string>;
}

const VALUE_OPTS = new Set([
  "--out",
  "--config",
  "--rootfs",
  "--dos",
  "--floppy",
  "--disk",
  "--timeout",
  "--engine",
  "--machine",
  "--cpu",
  "--ram",
]);
const FLAG_OPTS = new Set(["--json", "--help", "-h", "--persist", "--version", "--net"]);

export function parseArgs(argv: string[]): ParsedArgs {
  const opts = new Map<string, string>();
  const sets: string[] = [];
  const flags = new Set<string>();
  let command = "";
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline: string | undefined;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (a === "--set") {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError("--set needs KEY=VALUE");
      sets.push(v);
    } else if (VALUE_OPTS.has(a)) {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      opts.set(a, v);
    } else if (FLAG_OPTS.has(a)) flags.add(a === "-h" ? "--help" : a);
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a} (see looproot --help)`);
    else if (!command) command = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  return { command, opts, sets, flags };
}

/** "swap.sizeMiB=16" -> { swap: { sizeMiB: 16 } }, typed by the setting's row (src/settings.ts). */
export function setToPartial(set: string): Record<string, unknown> {
  const shown = safeText(set, 100);
  const eq = set.indexOf("=");
  if (eq <= 0) throw new UsageError(`--set ${shown}: expected KEY=VALUE`);
  const path = set.slice(0, eq);
  const key = safeText(path, 100);
  const raw = set.slice(eq + 1);
  const row = rowOf(path);
  if (!row) {
    const group = groupPaths(path);
    if (group.length)
      throw new UsageError(`--set ${shown}: ${key} is a group of settings; set one of ${group.join(", ")}`);
    throw new UsageError(`--set ${shown}: ${key} is not a known setting (see looproot config)`);
  }
  let value: Value;
  try {
    value = valueFromText(row, raw);
  } catch (e) {
    if (!(e instanceof SettingTextError)) throw e;
    throw new UsageError(`--set ${shown}: ${key} ${e.message}, got "${safeText(raw, 40)}"`);
  }
  return path
    .split(".")
    .reduceRight<Record<string, unknown>>((acc, k) => ({ [k]: acc }), value as unknown as Record<string, unknown>);
}

export { decimalNumber };

/**
 * The first number in a parsed JSON text that is not plain decimal digits (a sign, a fraction or
 * an exponent: 1e-400 parses as 0, 1e9 as a billion), with its byte offset; undefined when none.
 */
export function firstNonDecimalNumber(text: string): { offset: number; token: string } | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      const token = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400))![0];
      if (decimalNumber(token) === undefined)
        return { offset: new TextEncoder().encode(text.slice(0, i)).length, token };
      i += token.length - 1;
    }
  }
  return undefined;
}

/** A JSON config's text from its bytes: UTF-8 (the byte offset of the first that is not), numbers in decimal digits. */
export function parseConfigJson(option: string, file: string, bytes: Uint8Array): unknown {
  const text = utf8Text(option, file, bytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw inputFileError(option, file, `not valid JSON (${(e as Error).message})`);
  }
  const n = firstNonDecimalNumber(text);
  if (n)
    throw inputFileError(
      option,
      file,
      `byte ${fmt(n.offset)}: ${safeText(n.token, 40)} is not a whole number written in decimal digits 0-9 (at most ${MAX_DIGITS}): every size, count and time in a config is one`,
    );
  return json;
}

/** The config from --config and --set on top of `base` (the defaults, or what boot found was built). */
export function loadConfig(args: ParsedArgs, base: LooprootConfig = defaultConfig()): LooprootConfig {
  let config = base;
  const file = args.opts.get("--config");
  if (file)
    config = mergeConfig(config, parseConfigJson("--config", file, readInputFile("--config", file, CONFIG_MAX_BYTES)));
  for (const s of args.sets) config = mergeConfig(config, setToPartial(s));
  if (args.opts.has("--rootfs")) config = mergeConfig(config, { root: { source: "tar" } });
  return config;
}

/** A config file is a few KiB; anything near a megabyte is a mistake (or /dev/zero). */
export const CONFIG_MAX_BYTES = 1_000_000;
