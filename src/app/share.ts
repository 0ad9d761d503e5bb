// Reading and writing config fields by their dotted path ("swap.sizeMiB"), and carrying a config
// in JSON and in the page's URL. The URL holds only what differs from the defaults, so a shared
// link stays short and keeps working when a later version adds new settings.

import { defaultConfig, mergeConfig, type LooprootConfig } from "../config.ts";

export type Value = string | number | boolean;

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

function toBase64Url(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(s: string): string {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** "#config=..." for the changed settings, or "" when everything is the default. */
export function configToHash(config: LooprootConfig): string {
  const diff = diffConfig(config, defaultConfig());
  return diff === undefined ? "" : "#config=" + toBase64Url(JSON.stringify(diff));
}

/** The config a URL hash carries; undefined when the hash carries none. */
export function configFromHash(hash: string): LooprootConfig | undefined {
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
