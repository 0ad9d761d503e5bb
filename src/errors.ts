// One error type for the whole project (modelled on isomorphic-git's): a stable `code` that the CLI's
// exit codes, the page's messages and the tests key on, the `field` and `limit` where there is one,
// and a plain-JSON form that crosses the worker boundary and comes back as the same class.
//
// Anything thrown that is not a LooprootError is a bug in looproot, never the user's fault: the edges
// report it as such (the CLI exits 3 with "please report" and the stack).

import { safeText, safeLines } from "./util/safe.ts";

/** Every code the project throws. The value is the code itself, so it survives JSON. */
export const ErrorCode = {
  /** The command line is wrong (unknown option, missing value). */
  Usage: "E_USAGE",
  /** One or more config fields are invalid; `problems` lists each with its field. */
  Config: "E_CONFIG",
  /** A file the user gave could not be read (missing, a folder, too large, a device). */
  InputFile: "E_INPUT_FILE",
  /** The user's root tarball is malformed, hostile or does not fit. */
  Tar: "E_TAR",
  /** A tree (root or initrd contents) breaks a filesystem's rules. */
  Tree: "E_TREE",
  /** A DOS (8.3) name or path is not valid. */
  DosName: "E_DOS_NAME",
  /** A gzip stream is damaged or unpacks past its limit. */
  Gzip: "E_GZIP",
  /** A FAT, MBR or other disk image the user gave is damaged or is not what it should be. */
  Image: "E_IMAGE",
  /** The guest binaries (images/) are missing or do not match. */
  Ingredients: "E_INGREDIENTS",
  /** The output folder cannot take the images. */
  Output: "E_OUTPUT",
  /** An image cannot hold what it is asked to (a writer's own limit: sizes, counts, dates, labels). */
  Limit: "E_LIMIT",
  /** An argument has the wrong type (a string where a Uint8Array belongs, an object missing). */
  Type: "E_TYPE",
  /** The guest did not answer within the time limit (a shell command that never finished). */
  Timeout: "E_TIMEOUT",
  /** The caller's AbortSignal fired: the work stopped (a machine it started is stopped). */
  Aborted: "E_ABORTED",
  /** The emulator itself failed (an internal panic, QEMU missing). */
  Emulator: "E_EMULATOR",
  /** A bug in looproot: an exception that none of the above explains. */
  Bug: "E_BUG",
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One problem with one field (a config key, a CLI option, a file in a tree). */
export interface Problem {
  field: string;
  message: string;
  /** The limit that was broken, where there is one (a size, a count, a length). */
  limit?: number | string;
  /** Other fields a cross-field problem involves (root + swap against the disk): shown at each. */
  fields?: string[];
}

export interface ErrorJSON {
  name: "LooprootError";
  code: ErrorCodeValue;
  message: string;
  field?: string;
  limit?: number | string;
  problems?: Problem[];
  /** Extra data for the code (a stage, a path); plain JSON only. */
  data?: Record<string, unknown>;
  /** Only for E_BUG: the original stack, for the report. */
  stack?: string;
}

export interface ErrorOptions {
  field?: string;
  limit?: number | string;
  problems?: Problem[];
  data?: Record<string, unknown>;
  cause?: unknown;
}

export class LooprootError extends Error {
  readonly code: ErrorCodeValue;
  readonly field?: string;
  readonly limit?: number | string;
  readonly problems: Problem[];
  readonly data: Record<string, unknown>;

  constructor(code: ErrorCodeValue, message: string, opts: ErrorOptions = {}) {
    super(message);
    this.name = "LooprootError";
    this.code = code;
    if (opts.field !== undefined) this.field = opts.field;
    if (opts.limit !== undefined) this.limit = opts.limit;
    this.problems =
      opts.problems ??
      (opts.field !== undefined
        ? [{ field: opts.field, message, ...(opts.limit !== undefined ? { limit: opts.limit } : {}) }]
        : []);
    this.data = opts.data ?? {};
    if (opts.cause !== undefined) (this as { cause?: unknown }).cause = opts.cause;
  }

  /** True for errors that are the user's to fix (bad input); false for bugs. */
  get isUserError(): boolean {
    return this.code !== ErrorCode.Bug && this.code !== ErrorCode.Emulator;
  }

  toJSON(): ErrorJSON {
    return {
      name: "LooprootError",
      code: this.code,
      message: this.message,
      ...(this.field !== undefined ? { field: this.field } : {}),
      ...(this.limit !== undefined ? { limit: this.limit } : {}),
      ...(this.problems.length ? { problems: this.problems.map((p) => ({ ...p })) } : {}),
      ...(Object.keys(this.data).length ? { data: this.data } : {}),
      ...(this.code === ErrorCode.Bug && this.stack ? { stack: this.stack } : {}),
    };
  }

  static fromJSON(j: ErrorJSON): LooprootError {
    const e = new LooprootError(j.code, j.message, {
      field: j.field,
      limit: j.limit,
      problems: j.problems,
      data: j.data,
    });
    if (j.stack) e.stack = j.stack;
    return e;
  }
}

/** Any thrown value as a LooprootError: ours as they are, anything else as a bug with its stack. */
export function asLooprootError(e: unknown): LooprootError {
  if (e instanceof LooprootError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const bug = new LooprootError(ErrorCode.Bug, `${err.name}: ${err.message}`, { cause: err });
  bug.stack = err.stack ?? bug.stack;
  return bug;
}

/** The same error placed at a field (the page shows it there): a tree problem found while building the root is root.source's. */
export function atField(e: LooprootError, field: string): LooprootError {
  if (e.field === field) return e;
  const moved = new LooprootError(e.code, e.message, { field, limit: e.limit, data: e.data, cause: e });
  moved.stack = e.stack;
  return moved;
}

/** An argument of the wrong type (E_TYPE), named by its field: "files: expected an array of { path, data }". */
export function typeError(field: string, expected: string): LooprootError {
  return new LooprootError(ErrorCode.Type, `${field}: expected ${expected}`, { field });
}

/**
 * What looproot uses of an AbortSignal (the DOM's and Node's both fit): its own type, because the
 * pure core is typechecked without either's types.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/**
 * An options' `signal`, checked: undefined or an AbortSignal (E_TYPE naming `field` otherwise).
 * Duck-typed, so that a signal from another realm (a page's frame, a polyfill) is taken too.
 */
export function checkSignal(signal: unknown, field = "signal"): AbortSignalLike | undefined {
  if (signal === undefined) return undefined;
  const s = signal as Partial<AbortSignalLike> | null;
  if (typeof s !== "object" || s === null || typeof s.aborted !== "boolean" || typeof s.addEventListener !== "function")
    throw typeError(field, "an AbortSignal");
  return signal as AbortSignalLike;
}

/** E_ABORTED for a signal that fired, with its reason when it has one (AbortSignal.timeout's, a caller's own). */
export function abortedError(signal: AbortSignalLike, what: string): LooprootError {
  const r: unknown = signal.reason;
  const why = r instanceof Error ? r.message : r === undefined ? "" : String(r);
  return new LooprootError(ErrorCode.Aborted, `${what}: aborted by the caller's signal${why ? ` (${why})` : ""}`, {
    field: "signal",
    cause: r,
  });
}

/** The JSON form of any thrown value (for postMessage, --json output). */
export function errorToJSON(e: unknown): ErrorJSON {
  return asLooprootError(e).toJSON();
}

/** Is this value the JSON form of an error? (For messages that arrive from a worker.) */
export function isErrorJSON(v: unknown): v is ErrorJSON {
  return (
    typeof v === "object" &&
    v !== null &&
    (v as ErrorJSON).name === "LooprootError" &&
    typeof (v as ErrorJSON).code === "string" &&
    typeof (v as ErrorJSON).message === "string"
  );
}

/** Throws one E_CONFIG error carrying every problem, so a user fixes them all in one go. */
export function configError(problems: Problem[]): LooprootError {
  return new LooprootError(ErrorCode.Config, problems.map((p) => `${p.field}: ${p.message}`).join("\n"), {
    problems,
    ...(problems.length === 1 ? { field: problems[0].field, limit: problems[0].limit } : {}),
  });
}

/** What a command line does with an error: the exit code and the lines to print. */
export function describeForCli(e: unknown): { exitCode: 2 | 3; lines: string[] } {
  const err = asLooprootError(e);
  // Messages carry values from the user and from images: each line is escaped and cut, and a
  // newline inside a message is shown as \x0a, so no value can forge a line of its own.
  const one = (s: string) => safeText(s, CLI_LINE_MAX);
  if (err.code === ErrorCode.Bug) {
    return {
      exitCode: 3,
      lines: [
        `looproot: this is a bug in looproot, please report it with the lines below:`,
        ...safeLines(err.stack ?? err.message, CLI_LINE_MAX),
      ],
    };
  }
  if (err.code === ErrorCode.Emulator) {
    return { exitCode: 3, lines: [`looproot: the emulator failed: ${one(err.message)}`] };
  }
  if (err.code === ErrorCode.Config && err.problems.length) {
    return {
      exitCode: 2,
      lines: [
        `looproot: the config has problems, nothing was ${err.data.nothing === "booted" ? "booted" : "built"}:`,
        ...err.problems.map((p) => `  ${one(`${p.field}: ${p.message}`)}`),
      ],
    };
  }
  return { exitCode: 2, lines: [`looproot: ${one(err.message)}`] };
}

/** The longest line an error prints (a value inside it is usually cut shorter where it is quoted). */
export const CLI_LINE_MAX = 1000;
