// Checks, at build time, that a user's root has an init the kernel can start: a path that leads,
// through symlinks resolved inside the tree (never out of it, as the kernel sees them once the tree
// is /), to a file the kernel can execute: an ELF program or a `#!` script.

import type { Tree, TreeEntry } from "../fs/tree.ts";
import { LooprootError, ErrorCode } from "../errors.ts";

/** Symlinks followed before giving up, as the kernel's own limit (MAXSYMLINKS is 40). */
const MAX_LINKS = 40;

/** Resolves `path` in the tree as the kernel would with the tree as root; undefined if it leads nowhere. */
export function resolveInTree(byPath: Map<string, TreeEntry>, path: string): { entry?: TreeEntry; path: string; why?: string } {
  let hops = 0;
  let todo = path.split("/").filter(Boolean);
  const done: string[] = [];
  while (todo.length) {
    const part = todo.shift()!;
    if (part === ".") continue;
    if (part === "..") { done.pop(); continue; } // ".." at / stays at /, as for a chroot
    const here = "/" + [...done, part].join("/");
    let e = byPath.get(here);
    if (e?.kind === "hardlink") e = byPath.get(e.target ?? "");
    if (!e) return { path: here, why: `${here} does not exist` };
    if (e.kind === "symlink") {
      if (++hops > MAX_LINKS) return { path: here, why: `more than ${MAX_LINKS} symlinks` };
      const t = e.target ?? "";
      if (t.startsWith("/")) done.length = 0;
      todo = [...t.split("/").filter(Boolean), ...todo];
      continue;
    }
    if (todo.length && e.kind !== "dir") return { path: here, why: `${here} is not a directory` };
    done.push(part);
    if (!todo.length) return { entry: e, path: here };
  }
  return { entry: byPath.get("/"), path: "/" };
}

/** Interpreters of #! scripts followed, as the kernel's binfmt_script nesting limit. */
const MAX_INTERPRETERS = 4;
/** The kernel reads at most this much of a #! line (BINPRM_BUF_SIZE). */
const SHEBANG_MAX = 256;

/** Throws a root.source problem unless `path` (e.g. /sbin/init) is an i386 ELF program or a #! script whose interpreter is. */
export function checkRootInit(tree: Tree, path: string): void {
  const byPath = new Map(tree.map((x) => [x.path, x] as const));
  const bad = (why: string): never => {
    throw new LooprootError(ErrorCode.Tar, `the root tarball's ${path} cannot be started by the kernel: ${why}; the loop root needs an init that is an i386 ELF program or a #! script`, { field: "root.source" });
  };
  let want = path;
  for (let depth = 0; ; depth++) {
    const r = resolveInTree(byPath, want);
    const via = r.path === want ? want : `${want} (which leads to ${r.path})`;
    if (!r.entry) return bad(r.why ?? `${want} leads nowhere`);
    const e = r.entry;
    if (e.kind !== "file") return bad(`${via} is a ${e.kind}`);
    if (!(e.mode & 0o111)) return bad(`${via} is not executable (mode ${(e.mode & 0o7777).toString(8)})`);
    const d = e.data ?? new Uint8Array();
    if (d.length >= 20 && d[0] === 0x7f && d[1] === 0x45 && d[2] === 0x4c && d[3] === 0x46) {
      const machine = d[18] | (d[19] << 8);
      if (d[4] !== 1 || machine !== 3) return bad(`${via} is an ELF program for another machine (class ${d[4]}, e_machine ${machine}; the kernel runs 32-bit i386, e_machine 3)`);
      return;
    }
    if (d.length >= 2 && d[0] === 0x23 && d[1] === 0x21) {
      if (depth >= MAX_INTERPRETERS) return bad(`more than ${MAX_INTERPRETERS} nested #! interpreters`);
      const line = new TextDecoder("latin1").decode(d.subarray(2, SHEBANG_MAX)).split("\n")[0].trim();
      const interp = line.split(/[ \t]+/)[0];
      if (!interp) return bad(`${via} is a #! script without an interpreter`);
      want = interp;
      continue;
    }
    return bad(`${via} is neither an ELF program nor a #! script`);
  }
}
