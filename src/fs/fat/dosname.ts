// DOS 8.3 names: what FORMAT, COPY and COMMAND.COM accept, checked before anything is written.

import { LooprootError, ErrorCode } from "../../errors.ts";

/** Characters DOS refuses in a file name (besides control characters and the dot separator). */
export const DOS_ILLEGAL_CHARS = '"*+,/:;<=>?[\\]|';

/** Device names DOS resolves before the file system, with or without an extension. */
export const DOS_RESERVED_NAMES = [
  "CON",
  "AUX",
  "PRN",
  "NUL",
  "COM1",
  "COM2",
  "COM3",
  "COM4",
  "LPT1",
  "LPT2",
  "LPT3",
  "CLOCK$",
];

/** DOS keeps the current directory in 64 bytes ("\" + path + NUL), so longer paths cannot be reached. */
export const DOS_MAX_PATH = 63;

export class DosNameError extends LooprootError {
  constructor(
    public readonly dosName: string,
    rule: string,
  ) {
    super(ErrorCode.DosName, `DOS name "${dosName}": ${rule}`, { data: { name: dosName } });
    this.name = "DosNameError";
  }
}

function checkPart(name: string, part: string, what: "name" | "extension", max: number): void {
  if (part.length > max) {
    throw new DosNameError(
      name,
      `the ${what} "${part}" has ${part.length} characters, more than the ${max} of an 8.3 name`,
    );
  }
  for (let i = 0; i < part.length; i++) {
    const ch = part[i];
    const c = ch.charCodeAt(0);
    if (c < 0x20 || c === 0x7f)
      throw new DosNameError(name, `control character 0x${c.toString(16).padStart(2, "0")} is not allowed`);
    if (c > 0x7e)
      throw new DosNameError(name, `character "${ch}" is not ASCII (code pages differ, so only ASCII is allowed)`);
    if (ch === " ")
      throw new DosNameError(
        name,
        "a space is not allowed (DOS pads names with spaces, so COMMAND.COM cannot name such a file)",
      );
    if (DOS_ILLEGAL_CHARS.includes(ch))
      throw new DosNameError(name, `character '${ch}' is not allowed (illegal: ${DOS_ILLEGAL_CHARS})`);
  }
}

/** Checks one file or directory name and returns it upper-cased, e.g. "zImage" -> "ZIMAGE". */
export function toDosName(name: string): string {
  if (name.length === 0) throw new DosNameError(name, "the name is empty");
  if (name === "." || name === "..") throw new DosNameError(name, `"${name}" is the directory's own entry, not a name`);
  const dots = name.split(".").length - 1;
  if (dots > 1) throw new DosNameError(name, "more than one dot (an 8.3 name has one dot before the extension)");
  const upper = name.toUpperCase();
  let [base, ext = ""] = upper.split(".");
  if (base.length === 0) throw new DosNameError(name, "the name before the dot is empty");
  checkPart(name, base, "name", 8);
  checkPart(name, ext, "extension", 3);
  if (DOS_RESERVED_NAMES.includes(base)) {
    throw new DosNameError(name, `${base} is a reserved DOS device name (${DOS_RESERVED_NAMES.join(", ")})`);
  }
  // DOS treats "FOO." as "FOO".
  return ext ? `${base}.${ext}` : base;
}

/** The 11 bytes of a directory entry's DIR_Name: name padded to 8, extension to 3, with spaces. */
export function dosName11(name: string): Uint8Array {
  const canon = toDosName(name);
  const [base, ext = ""] = canon.split(".");
  const out = new Uint8Array(11).fill(0x20);
  for (let i = 0; i < base.length; i++) out[i] = base.charCodeAt(i);
  for (let i = 0; i < ext.length; i++) out[8 + i] = ext.charCodeAt(i);
  // DIR_Name[0] == 0xE5 marks a free entry; ASCII-only names never start with it.
  return out;
}

/** Turns 11 DIR_Name bytes back into "NAME.EXT". */
export function fromDosName11(b: Uint8Array): string {
  let base = "";
  let ext = "";
  for (let i = 0; i < 8; i++) base += String.fromCharCode(i === 0 && b[0] === 0x05 ? 0xe5 : b[i]);
  for (let i = 8; i < 11; i++) ext += String.fromCharCode(b[i]);
  base = base.replace(/ +$/, "");
  ext = ext.replace(/ +$/, "");
  return ext ? `${base}.${ext}` : base;
}

/**
 * Checks a DOS path such as "\LINUX\LINUXDSK.IMG" or "linux/linuxdsk.img" (relative to the
 * root; "\" or "/" separate components) and returns its upper-cased components.
 */
export function checkDosPath(path: string): string[] {
  let p = path;
  if (p.startsWith("\\") || p.startsWith("/")) p = p.slice(1);
  if (p.length === 0) throw new DosNameError(path, "the path is empty");
  const parts = p.split(/[\\/]/).map((part) => {
    if (part.length === 0)
      throw new DosNameError(path, "the path has an empty component (doubled or trailing separator)");
    return toDosName(part);
  });
  const full = "\\" + parts.join("\\");
  if (full.length > DOS_MAX_PATH) {
    throw new DosNameError(path, `the path "${full}" has ${full.length} characters, more than DOS's ${DOS_MAX_PATH}`);
  }
  return parts;
}
