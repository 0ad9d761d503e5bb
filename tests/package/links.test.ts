// The docs the package ships link only to files the package ships (issue 26: 43 links led
// nowhere for a user reading them in node_modules/looproot). The file list is npm's own
// (`npm pack --dry-run`), so package.json's "files" and this test cannot drift apart.
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, dirname, normalize } from "node:path";

const ROOT = join(import.meta.dirname, "../..");

/** What `npm pack` puts in the tarball, paths relative to the package root. */
export function shippedFiles(): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path);
}

/** Relative link targets in a Markdown file: [text](target) and <img src="target">. */
function links(md: string): string[] {
  const out: string[] = [];
  for (const m of md.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)|<img[^>]*\ssrc="([^"]+)"/g)) out.push(m[1] ?? m[2]);
  return out.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith("#"));
}

describe("the shipped docs", () => {
  const files = shippedFiles();
  const shipped = new Set(files);
  const isDir = (p: string) => files.some((f) => f.startsWith(p.replace(/\/?$/, "/")));

  it("ship the GPL binaries' corresponding sources or recipes beside them", () => {
    for (const f of [
      "images/kernel/config",
      "images/kernel/recipe.json",
      "images/busybox/config-root",
      "images/busybox/config-initrd",
      "images/busybox/recipe.json",
      "images/debian/recipe.json",
      "images/dos/recipe.json",
      "images/dos/src/kernel.asm",
      "images/dos/src/boot.asm",
      "images/dos/src/command.asm",
      "LICENSES/README.md",
      "images/manifest.json",
    ]) {
      expect(shipped.has(f), f).toBe(true);
    }
  });

  it("package.json names no repository, homepage or bugs (none exists yet), and the README says how to report a problem instead", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(pkg).filter((k) => ["repository", "homepage", "bugs"].includes(k))).toEqual([]);
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toMatch(
      /\*\*Reporting a problem\*\*: looproot has no public repository or issue tracker yet/,
    );
  });

  it("CHANGELOG.md has a section for the package's version, not marked unreleased", () => {
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
    const heading = readFileSync(join(ROOT, "CHANGELOG.md"), "utf8")
      .split("\n")
      .find((l) => l.startsWith(`## ${version}`));
    expect(heading, `## ${version}`).toBeDefined();
    expect(heading).not.toMatch(/unreleased/i);
  });

  it("link only to files in the package", () => {
    const md = files.filter((f) => f.endsWith(".md"));
    expect(md).toContain("README.md");
    const broken: string[] = [];
    for (const f of md) {
      for (const target of links(readFileSync(join(ROOT, f), "utf8"))) {
        const path = normalize(join(dirname(f), decodeURI(target.split("#")[0])));
        if (!shipped.has(path) && !isDir(path)) broken.push(`${f}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
