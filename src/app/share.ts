// Reading and writing config fields by their dotted path ("swap.sizeMiB"), and carrying a config
// in JSON and in the page's URL. The URL holds only what differs from the defaults, one parameter
// per setting (#settings=2&swap.sizeMiB=16&root.label=box), so a shared link stays short, keeps
// working when a later version adds new settings, and a link cut short loses whole settings.
// Links of the earlier form (#config=<base64url JSON>) are still read.

import { defaultConfig, mergeConfig, ConfigTypeError, type LooprootConfig } from "../config.ts";
import { ROWS, rowOf, valueFromText, valueToText, SettingTextError, type Value } from "../schema.ts";

export type { Value };

export function getPath(config: LooprootConfig, path: string): Value {
  let v: unknown = config;
  for (const k of path.split(".")) v = (v as Record<string, unknown>)[k];
  return v as Value;
}

export function setPath(config: LooprootConfig, path: string, value: Value): LooprootConfig {
  const out = structuredClone(config);
  const keys = path.split(".");
  let o = out as unknown as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[keys[keys.length - 1]] = value;
  return out;
}

/** The settings of `config` that differ from `base`, as a nested partial object (undefined when none). */
export function diffConfig(config: unknown, base: unknown): unknown {
  if (typeof config === "object" && config !== null && typeof base === "object" && base !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) {
      const d = diffConfig(v, (base as Record<string, unknown>)[k]);
      if (d !== undefined) out[k] = d;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return Object.is(config, base) ? undefined : config;
}

export function configToJson(config: LooprootConfig): string {
  return JSON.stringify(config, null, 2) + "\n";
}

/** Parses a saved config (full or partial); unknown keys and wrong types are errors naming the field. */
export function configFromJson(text: string): LooprootConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`config JSON: ${(e as Error).message}`);
  }
  return mergeConfig(defaultConfig(), parsed);
}

function fromBase64Url(s: string): string {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** The hash's parameter that closes the settings and counts them: a link without it was cut short. */
const COUNT = "settings";
/** Parameters of the page's own in a hash, beside the settings (no setting may have these names). */
export const PAGE_PARAMS = new Set([COUNT, "config", "autostart"]);

/** "#path=value&...&settings=N" for the N changed settings, or "" when everything is the default. */
export function configToHash(config: LooprootConfig): string {
  const changed = ROWS.filter((r) => !Object.is(getPath(config, r.path), r.default));
  if (!changed.length) return "";
  return (
    "#" +
    changed.map((r) => `${r.path}=${encodeURIComponent(valueToText(getPath(config, r.path)))}&`).join("") +
    `${COUNT}=${changed.length}`
  );
}

/** The config a URL hash carries; undefined when the hash carries none. Any damage throws. */
export function configFromHash(hash: string): LooprootConfig | undefined {
  if (/(?:^#|&)config=/.test(hash)) return oldConfigFromHash(hash);
  const r = readLink(hash);
  if (!r) return undefined;
  const d = r.dropped[0];
  if (d) throw new Error(`the link's ${d.field} ${d.why}`);
  if (r.truncated) throw new Error("the link was cut short");
  return r.config;
}

function oldConfigFromHash(hash: string): LooprootConfig | undefined {
  const m = /(?:^#|&)config=([A-Za-z0-9_-]*)/.exec(hash);
  if (!m) return undefined;
  let text: string;
  try {
    text = fromBase64Url(m[1]);
  } catch {
    throw new Error("the link's config is damaged (not base64url)");
  }
  return configFromJson(text);
}

/**
 * The settings of a "#path=value&...&settings=N" link, each typed by its row as `--set` types it;
 * undefined when the hash names no setting. Without its closing count the link was cut: its last
 * parameter may have lost characters, so it is dropped, and every setting kept is whole.
 */
function readSettingsLink(hash: string): LinkRead | undefined {
  const params = hash.replace(/^#/, "").split("&");
  const keyOf = (p: string) => p.split("=")[0];
  const closing = params.findIndex((p) => keyOf(p) === COUNT);
  if (closing < 0 && !params.some((p) => rowOf(keyOf(p)))) return undefined;
  const settings = (closing < 0 ? params : params.slice(0, closing)).filter(
    (p) => p !== "" && !PAGE_PARAMS.has(keyOf(p)),
  );
  const truncated = closing < 0 || params[closing] !== `${COUNT}=${settings.length}`;
  let config = defaultConfig();
  const kept: string[] = [];
  const dropped: Dropped[] = [];
  settings.forEach((param, i) => {
    const [rawKey, ...rest] = param.split("=");
    let key = rawKey;
    let text: string;
    try {
      key = decodeURIComponent(rawKey);
      text = decodeURIComponent(rest.join("="));
    } catch {
      return void dropped.push({ field: key, why: "is not URL-encoded text" });
    }
    if (closing < 0 && i === settings.length - 1 && param === params[params.length - 1]) {
      // What is left of the closing count ("sett") or of a page flag is no setting of the user's.
      if (![...PAGE_PARAMS].some((p) => `${p}=`.startsWith(param)))
        dropped.push({ field: key, why: "may have lost its end: the link was cut short in it" });
      return;
    }
    const row = rowOf(key);
    if (!row) return void dropped.push({ field: key, why: "is not a known setting" });
    if (!rest.length) return void dropped.push({ field: key, why: "has no value (expected name=value)" });
    try {
      config = setPath(config, row.path, valueFromText(row, text));
      kept.push(row.path);
    } catch (e) {
      if (!(e instanceof SettingTextError)) throw e;
      dropped.push({ field: key, why: `${e.message}, got "${text.slice(0, 40)}"` });
    }
  });
  return { config, kept, dropped, truncated };
}

// ---------------------------------------------------------------------------------------------
// A shared link that arrives damaged (cut short by a chat program, edited by hand, from a later
// version with settings this one does not know) keeps every setting that is still good and says
// what it dropped and why, instead of falling back to the defaults without a word.

/** A link's hash is at most this long; anything longer is not one of ours. */
export const MAX_LINK_CHARS = 64 * 1024;

export interface Dropped {
  /** The setting's dotted path as the link spelled it ("config" for the link as a whole). */
  field: string;
  why: string;
}

export interface LinkRead {
  config: LooprootConfig;
  /** Paths of the settings taken from the link. */
  kept: string[];
  dropped: Dropped[];
  /** The link's text ended in the middle: settings after that point are lost. */
  truncated: boolean;
}

/** Base64url that may have lost characters at its end: decodes every complete byte. */
function fromBase64UrlLenient(s: string): string {
  let t = s.replace(/-/g, "+").replace(/_/g, "/");
  if (t.length % 4 === 1) t = t.slice(0, -1);
  const bin = atob(t + "=".repeat((4 - (t.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/**
 * Parses JSON that may be cut short: returns the value with every member that was complete
 * (a cut string, number or nested value is left out). Linear in the text; nesting is bounded.
 */
const SCALAR =
  /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

export function parsePartialJson(text: string): { value: unknown; truncated: boolean } {
  let i = 0;
  let truncated = false;
  const END = Symbol("end");
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at character ${i + 1}`);
  };
  const value = (depth: number): unknown => {
    if (depth > 32) fail("nested too deeply");
    ws();
    if (i >= text.length) return END;
    const c = text[i];
    if (c === "{" || c === "[") {
      const obj = c === "{";
      const out: Record<string, unknown> | unknown[] = obj ? {} : [];
      i++;
      for (let first = true; ; first = false) {
        ws();
        if (i >= text.length) return ((truncated = true), out);
        if (text[i] === (obj ? "}" : "]")) return (i++, out);
        if (!first) {
          if (text[i] !== ",") fail("expected , or the end of the list");
          i++;
          ws();
        }
        let key = "";
        if (obj) {
          if (i >= text.length) return ((truncated = true), out);
          if (text[i] !== '"') fail("expected a name in quotes");
          const k = value(depth + 1);
          if (k === END) return ((truncated = true), out);
          key = k as string;
          ws();
          if (i >= text.length) return ((truncated = true), out);
          if (text[i] !== ":") fail("expected :");
          i++;
        }
        const v = value(depth + 1);
        if (v === END) return ((truncated = true), out);
        if (obj) (out as Record<string, unknown>)[key] = v;
        else (out as unknown[]).push(v);
        if (truncated) return out;
      }
    }
    // A scalar: JSON.parse it once its end is known; one cut by the end of the text is lost.
    SCALAR.lastIndex = i;
    const m = SCALAR.exec(text);
    if (m) {
      // A number that runs to the end of the text may have lost digits.
      if (i + m[0].length >= text.length && !/^["tfn]/.test(m[0])) return ((truncated = true), (i = text.length), END);
      i += m[0].length;
      return JSON.parse(m[0]);
    }
    const rest = text.slice(i);
    if (/^"(?:[^"\\]|\\.)*\\?$/s.test(rest) || ["true", "false", "null"].some((w) => w.startsWith(rest)))
      return ((truncated = true), (i = text.length), END);
    return fail("not a JSON value");
  };
  const v = value(0);
  ws();
  if (v !== END && i < text.length) fail("unexpected text after the settings");
  return { value: v === END ? undefined : v, truncated: truncated || v === END };
}

/** Every leaf of a partial config, as [path, value] (objects that are not plain settings count as leaves). */
function leaves(v: unknown, path: string, base: unknown, out: [string, unknown][]): void {
  const isObj = (x: unknown) => typeof x === "object" && x !== null && !Array.isArray(x);
  if (isObj(v) && (path === "" || isObj(base))) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      leaves(x, path ? `${path}.${k}` : k, isObj(base) ? (base as Record<string, unknown>)[k] : undefined, out);
  } else out.push([path, v]);
}

/** The config a link carries, keeping what is good; undefined when the hash carries none. */
export function readLink(hash: string): LinkRead | undefined {
  const m = /(?:^#|&)config=([^&]*)/.exec(hash);
  if (!m) {
    if (hash.length > MAX_LINK_CHARS)
      return {
        config: defaultConfig(),
        kept: [],
        dropped: [
          {
            field: "config",
            why: `is ${hash.length.toLocaleString("en-US")} characters long, more than a link's ${MAX_LINK_CHARS.toLocaleString("en-US")}`,
          },
        ],
        truncated: false,
      };
    return readSettingsLink(hash);
  }
  const defaults = defaultConfig();
  const whole = (why: string): LinkRead => ({
    config: defaults,
    kept: [],
    dropped: [{ field: "config", why }],
    truncated: false,
  });
  if (m[1].length > MAX_LINK_CHARS)
    return whole(
      `is ${m[1].length.toLocaleString("en-US")} characters long, more than a link's ${MAX_LINK_CHARS.toLocaleString("en-US")}`,
    );
  const bad = /[^A-Za-z0-9_-]/.exec(m[1]);
  const code = bad ? m[1].slice(0, bad.index) : m[1];
  let text: string;
  try {
    text = fromBase64UrlLenient(code);
  } catch {
    return whole("is not base64url text");
  }
  let parsed: { value: unknown; truncated: boolean };
  try {
    parsed = parsePartialJson(text);
  } catch (e) {
    return whole(`is not JSON (${(e as Error).message})`);
  }
  const truncated = parsed.truncated || !!bad;
  if (parsed.value === undefined) return { ...whole("was cut off before its first setting"), truncated: true };
  if (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value))
    return whole("is not a set of settings");
  return { ...mergeLeaves(parsed.value), truncated };
}

/** A partial config merged one setting at a time over the defaults: every good one kept, every bad one named. */
function mergeLeaves(value: object): { config: LooprootConfig; kept: string[]; dropped: Dropped[] } {
  const defaults = defaultConfig();
  const pairs: [string, unknown][] = [];
  leaves(value, "", defaults, pairs);
  let config = defaults;
  const kept: string[] = [];
  const dropped: Dropped[] = [];
  for (const [path, v] of pairs) {
    // One setting at a time through the same merge as a JSON file, so the same rules apply.
    const partial = path.split(".").reduceRight<unknown>((acc, k) => ({ [k]: acc }), v);
    try {
      config = mergeConfig(config, partial);
      kept.push(path);
    } catch (e) {
      if (!(e instanceof ConfigTypeError)) throw e;
      dropped.push({ field: e.field, why: e.message.slice(e.field.length + 2) });
    }
  }
  return { config, kept, dropped };
}

/**
 * A JSON file of looproot's: the page's Save JSON or `looproot config` (the settings), the CLI's
 * looproot-config.json beside a build (`{"looproot": "build-info", "config": …}`) or its
 * looproot-set.json (`{"tool": "looproot", "config": …}`). Every good setting is kept and every
 * bad one named with its field, as for a link; a file that is none of these throws.
 */
export function readConfigFile(text: string): {
  config: LooprootConfig;
  kept: string[];
  dropped: Dropped[];
  kind: string;
} {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`is not JSON (${(e as Error).message})`);
  }
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
  if (!isObj(v)) throw new Error("is not a set of settings (a JSON object)");
  let kind = "settings";
  if (v.looproot === "build-info" && isObj(v.config)) ((kind = "a build's looproot-config.json"), (v = v.config));
  else if (v.tool === "looproot" && isObj(v.config)) ((kind = "a build's looproot-set.json"), (v = v.config));
  return { ...mergeLeaves(v as object), kind };
}
