// The command line's own errors: a wrong command line (E_USAGE) and a file it names that cannot be
// read (E_INPUT_FILE). Both are the user's to fix, so the CLI prints them as one line and exits 2.

import { LooprootError, ErrorCode } from "../errors.ts";

/** E_USAGE: the command line itself is wrong. */
export class UsageError extends LooprootError {
  constructor(message: string) {
    super(ErrorCode.Usage, message);
    this.name = "UsageError";
  }
}

/** E_INPUT_FILE for a file named on the command line (--config, --rootfs, --floppy, --disk, --out). */
export function inputFileError(option: string, file: string, why: string, limit?: number): LooprootError {
  // A positional argument (IMAGE) is the path itself: the message names the path alone.
  return new LooprootError(ErrorCode.InputFile, `${/^[A-Z]+$/.test(option) ? "" : `${option} `}${file}: ${why}`, {
    field: option,
    limit,
  });
}
