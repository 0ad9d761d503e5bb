// A user's own root as the boot tests make it: the usual folders, looproot's root busybox, and an
// entry for each of its applets, so a test describes only what its root does differently.
import type { Tree, TreeEntry } from "../../src/fs/tree.ts";
import { loadIngredients } from "../../src/node/ingredients.ts";

/** One entry owned by root, with a fixed time (the tests' trees are the same on every run). */
export const treeEntry = (
  path: string,
  kind: TreeEntry["kind"],
  mode: number,
  more: Partial<TreeEntry> = {},
): TreeEntry => ({ path, kind, mode, uid: 0, gid: 0, mtime: 1_000_000_000, ...more });

/** A file entry with text content. */
export const textEntry = (path: string, mode: number, text: string): TreeEntry =>
  treeEntry(path, "file", mode, { data: new TextEncoder().encode(text) });

/**
 * The busybox system: folders, /bin/busybox and each applet a symlink to it, unless `applet`
 * returns another entry for that path.
 */
export function busyboxTree(applet: (path: string) => TreeEntry | undefined = () => undefined): Tree {
  const ing = loadIngredients();
  const tree: Tree = ["/", "/bin", "/sbin", "/usr", "/usr/bin", "/usr/sbin", "/etc", "/dev", "/tmp", "/root"].map((d) =>
    treeEntry(d, "dir", 0o755),
  );
  tree.push(treeEntry("/bin/busybox", "file", 0o755, { data: ing.busyboxRoot }));
  for (const a of ing.rootApplets)
    if (a !== "/bin/busybox") tree.push(applet(a) ?? treeEntry(a, "symlink", 0o777, { target: "/bin/busybox" }));
  return tree;
}
