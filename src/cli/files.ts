// The CLI's file edges: input files read with their size limit checked while reading (a device or
// a FIFO cannot make us read forever), and the output folder checked before any build work.

import { openSync, readSync, closeSync, fstatSync, statSync, accessSync, realpathSync, constants } from "node:fs";
import { resolve, dirname, join } from "node:path";
import { LooprootError, ErrorCode } from "../errors.ts";
import { inputFileError } from "./errors.ts";
import { isZero } from "../util/pieces.ts";
import { utf8ErrorOffset } from "../util/utf8.ts";
import { fmt } from "../util/fmt.ts";

const CHUNK = 1 << 20;

/**
 * Reads a regular file of at most maxBytes, in chunks, refusing anything else by name: a folder,
 * a device (/dev/zero), a FIFO, or a file that grows past the limit while it is read.
 */
export function readInputFile(option: string, file: string, maxBytes: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw inputFileError(option, file, errnoWords(e));
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw inputFileError(option, file, "is a folder, not a file");
    if (!st.isFile())
      throw inputFileError(option, file, "is not a regular file (a device, FIFO or socket cannot be read as an input)");
    if (st.size > maxBytes)
      throw inputFileError(option, file, `is ${fmt(st.size)} bytes, more than the limit of ${fmt(maxBytes)}`, maxBytes);
    // One buffer of exactly the size fstat gave, so an unchanged file comes back as a whole
    // ArrayBuffer (v86 can boot it without a copy); a one-byte probe notices growth. The cap holds
    // while reading too, since the file can change under us and a size of 0 says nothing for some
    // special files.
    let out = new Uint8Array(Math.min(maxBytes + 1, st.size));
    let total = 0;
    const probe = new Uint8Array(1);
    const scratch = new Uint8Array(CHUNK);
    for (;;) {
      if (total === out.length) {
        if (readSync(fd, probe, 0, 1, null) === 0) break;
        if (total + 1 > maxBytes)
          throw inputFileError(
            option,
            file,
            `grew past the limit of ${fmt(maxBytes)} bytes while it was read`,
            maxBytes,
          );
        const grown = new Uint8Array(Math.min(maxBytes + 1, Math.max(CHUNK, out.length * 2)));
        grown.set(out);
        grown[total++] = probe[0];
        out = grown;
        continue;
      }
      // Through a scratch piece, and only non-zero pieces copied: the pages of a fresh buffer cost
      // no memory until written, so a mostly empty 2 GiB disk takes what it holds, not its size.
      const n = readSync(fd, scratch, 0, Math.min(CHUNK, out.length - total), null);
      if (n === 0) break;
      const piece = scratch.subarray(0, n);
      if (!isZero(piece)) out.set(piece, total);
      total += n;
    }
    if (total > maxBytes)
      throw inputFileError(option, file, `grew past the limit of ${fmt(maxBytes)} bytes while it was read`, maxBytes);
    return total === out.length ? out : out.subarray(0, total);
  } catch (e) {
    if (e instanceof LooprootError) throw e;
    throw inputFileError(option, file, errnoWords(e));
  } finally {
    closeSync(fd);
  }
}

/** Node's errno errors in words; anything without an errno code is not a file problem and propagates. */
function errnoWords(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (!code) throw e;
  const words: Record<string, string> = {
    ENOENT: "no such file",
    EACCES: "no permission to read it",
    EPERM: "no permission to read it",
    EISDIR: "is a folder, not a file",
    ENOTDIR: "a part of the path is not a folder",
    ELOOP: "too many symbolic links",
    EAGAIN: "is not a regular file (nothing to read yet)",
  };
  return words[code] ?? `cannot be read (${code})`;
}

/** Pseudo-filesystems where images cannot be written (writing to /proc can spin forever). */
const PSEUDO = ["/proc", "/sys", "/dev"];

function outputError(out: string, why: string): LooprootError {
  return new LooprootError(ErrorCode.Output, `--out ${out}: ${why}`, { field: "--out" });
}

/** Everything about the output folder that can be known before building: it is a writable folder, or can be made one. */
export function checkOutputFolder(out: string, names: string[]): void {
  const abs = resolve(out);
  let existing = abs;
  for (;;) {
    try {
      statSync(existing);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOTDIR") throw outputError(out, "a part of the path is a file, not a folder");
      if (code !== "ENOENT") throw outputError(out, errnoWords(e));
      if (dirname(existing) === existing) break;
      existing = dirname(existing);
    }
  }
  const real = realpathSync(existing);
  const pseudo = PSEUDO.find((p) => real === p || real.startsWith(p + "/"));
  if (pseudo) throw outputError(out, `is inside ${pseudo}, a kernel pseudo-filesystem that cannot hold images`);
  const st = statSync(existing);
  if (!st.isDirectory())
    throw outputError(out, existing === abs ? "is a file, not a folder" : `${existing} is a file, not a folder`);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    throw outputError(out, `no permission to write in ${existing}`);
  }
  if (existing === abs) {
    for (const n of names) {
      try {
        if (statSync(join(abs, n)).isDirectory())
          throw outputError(out, `${n} is a folder in the way of the image of that name`);
      } catch (e) {
        if (e instanceof LooprootError) throw e;
      }
    }
  }
}

/** A write that failed for a reason of the file system (full, read-only, no permission) is the user's to fix. */
export function outputWriteError(out: string, e: unknown): LooprootError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const words: Record<string, string> = {
    ENOSPC: "the disk is full",
    EDQUOT: "the disk quota is used up",
    EROFS: "the file system is read-only",
    EACCES: "no permission to write",
    EPERM: "no permission to write",
    EISDIR: "a folder is in the way",
  };
  if (!code || !words[code]) throw e;
  return outputError(out, `${words[code]} (${(e as Error).message})`);
}

/** A text file's bytes as UTF-8, or the file refused with the byte offset of the first that is not (never U+FFFD). */
export function utf8Text(option: string, file: string, bytes: Uint8Array): string {
  const bad = utf8ErrorOffset(bytes);
  if (bad >= 0)
    throw inputFileError(
      option,
      file,
      `is not UTF-8 text: byte ${fmt(bad)} (0x${bytes[bad].toString(16).padStart(2, "0")}) starts no UTF-8 character; save the file as UTF-8`,
    );
  return new TextDecoder().decode(bytes);
}
