// UUIDs, serials and signatures derived from the config, so that the same config gives
// byte-identical images and two different configs do not share identifiers.

import type { LooprootConfig } from "./config.ts";
import { sha256 } from "./util/sha256.ts";

/** JSON with sorted keys: the identity of a config independent of key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    return (
      "{" +
      Object.keys(o)
        .sort()
        .map((k) => JSON.stringify(k) + ":" + canonicalJson(o[k]))
        .join(",") +
      "}"
    );
  }
  return JSON.stringify(value);
}

function digest(config: LooprootConfig, purpose: string): Uint8Array {
  return sha256(canonicalJson(config) + "\0" + purpose);
}

/** An RFC 4122 version-4-shaped UUID whose bits come from the config rather than a random source. */
export function derivedUuid(config: LooprootConfig, purpose: string): Uint8Array {
  const u = digest(config, purpose).slice(0, 16);
  u[6] = (u[6] & 0x0f) | 0x40;
  u[8] = (u[8] & 0x3f) | 0x80;
  return u;
}

export function derivedU32(config: LooprootConfig, purpose: string): number {
  return new DataView(digest(config, purpose).buffer).getUint32(0, true);
}
