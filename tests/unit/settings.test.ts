// The settings table (src/settings.ts) is the one source: every view derived from it (the
// defaults, the per-field checks, the page's form, --set and the share link) covers every row.
// A row added without what one of them needs fails here, named by its path.

import { describe, it, expect } from "vitest";
import { SETTINGS, type SettingRow } from "../../src/settings.ts";
import { ROWS, valueToText } from "../../src/schema.ts";
import { defaultConfig, mergeConfig, HOWTO_DIFFERENCES, type LooprootConfig } from "../../src/config.ts";
import { validateConfig } from "../../src/validate.ts";
import { ALL_FIELDS, SECTIONS } from "../../src/app/fields.ts";
import { configToHash, readLink, getPath, setPath, PAGE_PARAMS } from "../../src/app/share.ts";
import { setToPartial } from "../../src/cli/args.ts";
import { BUILD_STEPS } from "../../src/steps.ts";
import { DOS_TAIL_LIMIT } from "../../src/howto/bootfloppy.ts";
import { SWAP_LABEL_MAX } from "../../src/fs/swap.ts";

/** Every leaf of a nested object, as a dotted path. */
function leaves(o: object, prefix = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    typeof v === "object" && v !== null ? leaves(v, prefix + k + ".") : [prefix + k],
  );
}

/** A value of the row's type other than its default (valid or not: only its type matters). */
function another(r: SettingRow): string | number | boolean {
  if (r.kind === "bool") return !r.default;
  if (r.kind === "int") return r.default === r.range[0] ? r.range[1] : r.range[0];
  if (r.kind === "choice") return r.options.find((o) => o.value !== r.default)!.value;
  return r.default + "X";
}

/** Values of the row's type that its own check must refuse (at least one of them, for each row). */
function wrong(r: SettingRow): (string | number)[] {
  if (r.kind === "int") return [r.range[0] - 1, r.range[1] + 1, r.range[0] + 0.5];
  if (r.kind === "choice") return [typeof r.default === "number" ? 3 : "none-such"];
  return ["", "x".repeat(300), "a\u0001b", "a%b", "a b"];
}

describe("the settings table", () => {
  it("has one row per path, and every row is well formed", () => {
    const paths = ROWS.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
    const stages = new Set<string>([...BUILD_STEPS.map((s) => s.id).filter((id) => id !== "check"), "boot", "all"]);
    for (const r of ROWS) {
      expect(r.label, r.path).not.toBe("");
      expect(r.howto, r.path).not.toBe("");
      expect(r.uses.length, r.path).toBeGreaterThan(0);
      for (const s of r.uses) expect(stages.has(s), `${r.path} uses ${s}`).toBe(true);
      expect(PAGE_PARAMS.has(r.path), `${r.path} is a page parameter's name`).toBe(false);
      if (r.kind === "int") expect(r.range[0] <= r.default && r.default <= r.range[1], r.path).toBe(true);
      if (r.kind === "choice")
        expect(
          r.options.map((o) => o.value),
          r.path,
        ).toContain(r.default);
    }
  });

  it("gives the defaults: every row's, in the table's order, and nothing else", () => {
    const d = defaultConfig();
    expect(leaves(d)).toEqual(ROWS.map((r) => r.path));
    for (const r of ROWS) expect(getPath(d, r.path), r.path).toBe(r.default);
    // The defaults are valid, so each refused value below is refused for itself.
    expect(validateConfig(d)).toEqual([]);
  });

  it("gives each row its check: a value of the right type that the row forbids is refused at that field", () => {
    for (const r of ROWS) {
      if (r.kind === "bool") continue; // true and false are both settings; mergeConfig refuses anything else
      const refused = wrong(r).filter((v) =>
        validateConfig(setPath(defaultConfig(), r.path, v)).some((p) => p.field === r.path),
      );
      expect(refused.length, `${r.path} has no check that refuses any of ${JSON.stringify(wrong(r))}`).toBeGreaterThan(
        0,
      );
    }
    // A bool refuses any other type, named by its path.
    for (const r of ROWS.filter((x) => x.kind === "bool")) {
      const [group, key] = r.path.split(".");
      expect(() => mergeConfig(defaultConfig(), { [group]: { [key]: "yes" } }), r.path).toThrow(
        new RegExp(r.path.replace(".", "\\.")),
      );
    }
  });

  it("gives the page's form one field per row, once, in its section", () => {
    expect(ALL_FIELDS.map((f) => f.path).sort()).toEqual(ROWS.map((r) => r.path).sort());
    for (const r of ROWS) {
      const s = SECTIONS.find((x) => x.fields.some((f) => f.path === r.path))!;
      expect(s.id, r.path).toBe(r.section);
      const f = s.fields.find((x) => x.path === r.path)!;
      expect(f.label).toBe(r.label);
      if (r.kind === "choice")
        expect(
          f.options?.map((o) => o.value),
          r.path,
        ).toEqual(r.options.map((o) => o.value));
      if (r.kind === "int") expect(f.unit, r.path).toBe(r.unit);
    }
    // Each difference from the HOWTO is shown: at its row, or with a section (its notes).
    const shown = new Set([
      ...ALL_FIELDS.filter((f) => f.today).map((f) => f.path),
      ...SECTIONS.flatMap((s) => s.notes ?? []),
    ]);
    for (const d of HOWTO_DIFFERENCES) expect(shown.has(d.field), d.field).toBe(true);
  });

  it("gives --set each row, typed as the row says", () => {
    for (const r of ROWS) {
      const v = another(r);
      const c = mergeConfig(defaultConfig(), setToPartial(`${r.path}=${valueToText(v)}`));
      expect(getPath(c, r.path), r.path).toBe(v);
    }
  });

  it("gives the share link each row: one setting changed goes into the link and comes back, alone", () => {
    for (const r of ROWS) {
      const c: LooprootConfig = setPath(defaultConfig(), r.path, another(r));
      const hash = configToHash(c);
      expect(hash, r.path).toContain(`#${r.path}=`);
      expect(readLink(hash), r.path).toEqual({ config: c, kept: [r.path], dropped: [], truncated: false });
    }
    // All of them at once, too.
    const all = ROWS.reduce((c, r) => setPath(c, r.path, another(r)), defaultConfig());
    expect(readLink(configToHash(all))!.config).toEqual(all);
  });

  it("says in the form the limits the code keeps (the form once said 16 bytes for the swap label, the code 15)", () => {
    const howto = (path: string) => ROWS.find((r) => r.path === path)!.howto;
    expect(howto("swap.label")).toContain(`at most ${SWAP_LABEL_MAX} bytes`);
    expect(validateConfig(setPath(defaultConfig(), "swap.label", "x".repeat(SWAP_LABEL_MAX + 1)))[0].limit).toBe(
      SWAP_LABEL_MAX,
    );
    expect(howto("root.label")).toContain("at most 16 bytes");
    expect(validateConfig(setPath(defaultConfig(), "root.label", "x".repeat(17)))[0].limit).toBe(16);
    expect(howto("boot.paramsFile")).toContain(`${DOS_TAIL_LIMIT} characters`);
    // (tests/types/wrong-calls.ts checks that the types derived from SETTINGS are exactly the config's.)
    expect(SETTINGS.length).toBe(ROWS.length);
  });
});
