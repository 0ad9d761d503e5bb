// The command line's words: options, --set KEY=VALUE, and the config they make (--config, --set,
// --rootfs on top of the defaults or of what boot found was built).

import { defaultConfig, mergeConfig, type LooprootConfig } from "../config.ts";
import { readInputFile } from "./files.ts";
import { UsageError, inputFileError } from "./errors.ts";

export interface ParsedArgs {
  command: string;
  opts: Map<string, string>;
  sets: string[];
  flags: Set<string>;
}

const VALUE_OPTS = new Set(["--out", "--config", "--rootfs", "--dos", "--floppy", "--disk", "--timeout", "--engine", "--machine", "--cpu", "--ram"]);
const FLAG_OPTS = new Set(["--json", "--help", "-h", "--persist", "--version"]);

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

/** "swap.sizeMiB=16" -> { swap: { sizeMiB: 16 } }, typed after the default's type. */
export function setToPartial(set: string, base: LooprootConfig): Record<string, unknown> {
  const eq = set.indexOf("=");
  if (eq <= 0) throw new UsageError(`--set ${set}: expected KEY=VALUE`);
  const keys = set.slice(0, eq).split(".");
  const raw = set.slice(eq + 1);
  let cur: unknown = base;
  for (const k of keys) {
    if (typeof cur !== "object" || cur === null || !(k in cur)) throw new UsageError(`--set ${set}: ${keys.join(".")} is not a known setting`);
    cur = (cur as Record<string, unknown>)[k];
  }
  let value: unknown = raw;
  if (typeof cur === "number") {
    value = Number(raw);
    if (raw.trim() === "" || Number.isNaN(value)) throw new UsageError(`--set ${set}: ${keys.join(".")} must be a number`);
  } else if (typeof cur === "boolean") {
    if (raw !== "true" && raw !== "false") throw new UsageError(`--set ${set}: ${keys.join(".")} must be true or false`);
    value = raw === "true";
  }
  const out: Record<string, unknown> = {};
  let o = out;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) o[k] = value;
    else o = (o[k] = {}) as Record<string, unknown>;
  });
  return out;
}

/** The config from --config and --set on top of `base` (the defaults, or what boot found was built). */
export function loadConfig(args: ParsedArgs, base: LooprootConfig = defaultConfig()): LooprootConfig {
  let config = base;
  const file = args.opts.get("--config");
  if (file) {
    const text = new TextDecoder().decode(readInputFile("--config", file, CONFIG_MAX_BYTES));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw inputFileError("--config", file, `not valid JSON (${(e as Error).message})`);
    }
    config = mergeConfig(config, json);
  }
  for (const s of args.sets) config = mergeConfig(config, setToPartial(s, config));
  if (args.opts.has("--rootfs")) config = mergeConfig(config, { root: { source: "tar" } });
  return config;
}

/** A config file is a few KiB; anything near a megabyte is a mistake (or /dev/zero). */
export const CONFIG_MAX_BYTES = 1_000_000;

