// What a function throws, so tests can key on an error's code and field rather than its wording.
import { LooprootError } from "../../src/errors.ts";

export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw, but the function returned");
}

/** The LooprootError a function throws (fails the test if it throws anything else). */
export function thrownLooproot(fn: () => unknown): LooprootError {
  const e = thrown(fn);
  if (!(e instanceof LooprootError))
    throw new Error(`expected a LooprootError, got ${(e as Error)?.stack ?? String(e)}`);
  return e;
}
