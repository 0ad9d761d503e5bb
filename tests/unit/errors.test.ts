import { describe, it, expect } from "vitest";
import {
  LooprootError,
  ErrorCode,
  asLooprootError,
  errorToJSON,
  isErrorJSON,
  configError,
  describeForCli,
} from "../../src/errors.ts";

describe("LooprootError", () => {
  it("keeps code, field, limit and problems through JSON (the worker boundary)", () => {
    const e = new LooprootError(ErrorCode.Tar, "root tarball: too deep", {
      field: "root.source",
      limit: 4096,
      data: { path: "/a" },
    });
    const j = JSON.parse(JSON.stringify(e.toJSON()));
    expect(isErrorJSON(j)).toBe(true);
    const back = LooprootError.fromJSON(j);
    expect(back).toBeInstanceOf(LooprootError);
    expect(back.code).toBe("E_TAR");
    expect(back.field).toBe("root.source");
    expect(back.limit).toBe(4096);
    expect(back.problems).toEqual([{ field: "root.source", message: "root tarball: too deep", limit: 4096 }]);
    expect(back.data).toEqual({ path: "/a" });
    expect(j.stack).toBeUndefined();
  });
  it("turns a foreign exception into a bug with its stack, never a user problem", () => {
    const bug = asLooprootError(new TypeError("x is undefined"));
    expect(bug.code).toBe(ErrorCode.Bug);
    expect(bug.isUserError).toBe(false);
    expect(errorToJSON(new RangeError("offset")).stack).toContain("RangeError");
    const cli = describeForCli(new TypeError("boom"));
    expect(cli.exitCode).toBe(3);
    expect(cli.lines[0]).toMatch(/bug in looproot, please report/);
  });
  it("gives exit 2 and every problem for a config error", () => {
    const e = configError([
      { field: "a.b", message: "too big", limit: 3 },
      { field: "c", message: "bad" },
    ]);
    expect(e.code).toBe(ErrorCode.Config);
    const cli = describeForCli(e);
    expect(cli.exitCode).toBe(2);
    expect(cli.lines).toEqual(["looproot: the config has problems, nothing was built:", "  a.b: too big", "  c: bad"]);
    expect(isErrorJSON({ name: "Error", message: "x" })).toBe(false);
  });
});
