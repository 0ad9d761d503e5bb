// The checks looproot/fs runs on its arguments before calling the core: each problem a
// LooprootError naming the argument (field) and the limit. Not exported from looproot/fs.

import { checkTree, type Tree as CoreTree } from "../tree.ts";
import { sha256 } from "../../util/sha256.ts";
import { fmt } from "../../util/fmt.ts";
import { LooprootError, ErrorCode, atField, typeError } from "../../errors.ts";
import { type Tree } from "./tree.ts";

export function limit(field: string, message: string, lim?: number | string): LooprootError {
  return new LooprootError(ErrorCode.Limit, `${field}: ${message}`, {
    field,
    ...(lim !== undefined ? { limit: lim } : {}),
  });
}

export function checkInt(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number") throw typeError(field, "a number");
  if (!Number.isInteger(v) || v < min || v > max)
    throw limit(field, `${String(v)} is not a whole number in ${fmt(min)}..${fmt(max)}`, `${min}..${max}`);
  return v;
}

export function checkBytes(field: string, v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw typeError(field, "a Uint8Array");
  return v;
}

export function checkObject<T>(field: string, v: T): T {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw typeError(field, "an object");
  return v;
}

/** Runs `run`, placing an error it throws without a field at `field` (the argument it is about). */
export function atFieldIfNone<T>(field: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw e instanceof LooprootError && e.field === undefined ? atField(e, field) : e;
  }
}

/** Runs a core reader, placing the image problems it names by header field at `image` (the argument). */
export function atImage<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw e instanceof LooprootError && e.code === ErrorCode.Image ? atField(e, "image") : e;
  }
}

/** A core tree that checkTree has passed: each entry has the fields of its kind, so it is a public Tree. */
export const asPublic = (tree: CoreTree): Tree => tree as Tree;

/** A tree checked by the writers' rules, its errors (each naming the entry's path) at `field`. */
export function checkedTree(field: string, tree: unknown): Tree {
  if (!Array.isArray(tree)) throw typeError(field, "an array of tree entries");
  return asPublic(atFieldIfNone(field, () => checkTree(tree)));
}

/** A u32 from the SHA-256 of what identifies an image, so a default serial is stable and differs between contents. */
export function derivedU32(purpose: string, parts: string[]): number {
  const d = sha256(purpose + "\0" + parts.join("\0"));
  return (d[0] | (d[1] << 8) | (d[2] << 16) | (d[3] << 24)) >>> 0;
}

export function derivedUuid(purpose: string, parts: string[]): Uint8Array {
  const u = sha256(purpose + "\0" + parts.join("\0")).slice(0, 16);
  u[6] = (u[6] & 0x0f) | 0x40;
  u[8] = (u[8] & 0x3f) | 0x80;
  return u;
}
