// resolveInTree: symlinks read as the root's own kernel would read them, never out of the tree.
import { describe, it, expect } from "vitest";
import { resolveInTree, checkTree, MAX_SYMLINK_FOLLOWS, type Tree, type TreeEntry } from "../../src/fs/tree.ts";

const e = (path: string, kind: TreeEntry["kind"], more: Partial<TreeEntry> = {}): TreeEntry => ({
  path,
  kind,
  mode: kind === "file" ? 0o755 : 0o755,
  uid: 0,
  gid: 0,
  mtime: 0,
  ...(kind === "file" ? { data: new Uint8Array(1) } : {}),
  ...more,
});
const map = (t: Tree) => new Map(checkTree(t).map((x) => [x.path, x] as const));

const mergedUsr = map([
  e("/usr", "dir"),
  e("/usr/bin", "dir"),
  e("/usr/sbin", "dir"),
  e("/usr/lib", "dir"),
  e("/usr/lib/sysvinit", "dir"),
  e("/bin", "symlink", { target: "usr/bin" }),
  e("/sbin", "symlink", { target: "/usr/sbin" }),
  e("/lib", "symlink", { target: "usr/lib" }),
  e("/usr/bin/dash", "file"),
  e("/usr/bin/sh", "symlink", { target: "dash" }),
  e("/usr/sbin/init", "symlink", { target: "../../lib/sysvinit/init" }),
  e("/usr/lib/sysvinit/init", "file"),
  e("/usr/bin/hl", "hardlink", { target: "/usr/bin/dash" }),
  e("/loop", "symlink", { target: "loop" }),
  e("/a", "symlink", { target: "b" }),
  e("/b", "symlink", { target: "a" }),
  e("/up", "symlink", { target: "../../../../usr/bin/dash" }),
  e("/abs", "symlink", { target: "/../../bin/sh" }),
  e("/dangling", "symlink", { target: "/nowhere/at/all" }),
  e("/filedir", "symlink", { target: "usr/bin/dash/x" }),
]);

describe("resolveInTree", () => {
  it("follows relative and absolute links through merged-/usr directories", () => {
    const sh = resolveInTree(mergedUsr, "/bin/sh");
    expect(sh.ok && sh.path).toBe("/usr/bin/dash");
    const init = resolveInTree(mergedUsr, "/sbin/init");
    expect(init.ok && init.path).toBe("/usr/lib/sysvinit/init");
    expect(resolveInTree(mergedUsr, "/lib/sysvinit/init").ok).toBe(true);
  });

  it("stops at the tree's root: '..' at / stays at /, an absolute target starts at the tree's root", () => {
    const up = resolveInTree(mergedUsr, "/up");
    expect(up.ok && up.path).toBe("/usr/bin/dash");
    const abs = resolveInTree(mergedUsr, "/abs");
    expect(abs.ok && abs.path).toBe("/usr/bin/dash");
  });

  it("does not follow the last link when asked not to, and gives a hard link's file", () => {
    const r = resolveInTree(mergedUsr, "/bin/sh", false);
    expect(r.ok && r.path).toBe("/usr/bin/sh");
    expect(r.ok && r.entry.kind).toBe("symlink");
    const h = resolveInTree(mergedUsr, "/bin/hl");
    expect(h.ok && h.entry.path).toBe("/usr/bin/dash");
  });

  it("names loops, dangling links and files used as directories", () => {
    for (const p of ["/loop", "/a"]) {
      const r = resolveInTree(mergedUsr, p);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toMatch(new RegExp(`more than ${MAX_SYMLINK_FOLLOWS} symlinks`));
    }
    const d = resolveInTree(mergedUsr, "/dangling");
    expect(!d.ok && d.reason).toBe("/nowhere is not in the tree");
    const f = resolveInTree(mergedUsr, "/filedir");
    expect(!f.ok && f.reason).toBe("/usr/bin/dash is a file, not a directory");
  });

  it("a chain of 40 links resolves, 41 does not (Linux's MAXSYMLINKS)", () => {
    const chain = (n: number) => {
      const t: Tree = [e("/f", "file")];
      for (let i = 0; i < n; i++) t.push(e(`/l${i}`, "symlink", { target: i === n - 1 ? "f" : `l${i + 1}` }));
      return map(t);
    };
    expect(resolveInTree(chain(MAX_SYMLINK_FOLLOWS), "/l0").ok).toBe(true);
    expect(resolveInTree(chain(MAX_SYMLINK_FOLLOWS + 1), "/l0").ok).toBe(false);
  });

  it("a long chain of long links ends quickly", () => {
    const t: Tree = [e("/d", "dir")];
    // Each link points back through many ".." and "d" components: bounded by the follow count.
    for (let i = 0; i < 100; i++)
      t.push(e(`/d/x${i}`, "symlink", { target: "../d/".repeat(400) + `x${(i + 1) % 100}` }));
    const t0 = performance.now();
    expect(resolveInTree(map(t), "/d/x0").ok).toBe(false);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
