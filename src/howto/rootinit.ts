// Checks, at build time, that a user's root has an init the kernel can start: a path that leads,
// through symlinks resolved inside the tree (never out of it, as the kernel sees them once the tree
// is /), to a file the kernel can execute: an ELF program or a `#!` script.

import { resolveInTree, type Tree } from "../fs/tree.ts";
import { LooprootError, ErrorCode } from "../errors.ts";

/** What a user's root must hold, in the words of the help and of every refusal. */
export const ROOT_NEEDS =
  "/sbin/init and /bin/sh, each an executable regular file or a symlink to one inside the tarball " +
  "(merged /usr, where /bin, /sbin and /lib link into /usr, is fine)";

/** Interpreters of #! scripts followed, as the kernel's binfmt_script nesting limit. */
const MAX_INTERPRETERS = 4;
/** The kernel reads at most this much of a #! line (BINPRM_BUF_SIZE). */
const SHEBANG_MAX = 256;

/** Throws a root.source problem unless `path` (e.g. /sbin/init) is an i386 ELF program or a #! script whose interpreter is. */
export function checkRootInit(tree: Tree, path: string): void {
  const byPath = new Map(tree.map((x) => [x.path, x] as const));
  const bad = (why: string): never => {
    throw new LooprootError(
      ErrorCode.Tar,
      `the root tarball's ${path} cannot be started by the kernel: ${why}; the loop root needs an init that is an i386 ELF program or a #! script. A root needs ${ROOT_NEEDS}`,
      { field: "root.source" },
    );
  };
  let want = path;
  for (let depth = 0; ; depth++) {
    const r = resolveInTree(byPath, want);
    if (!r.ok) return bad(r.reason);
    const via = r.path === want ? want : `${want} (which leads to ${r.path})`;
    const e = r.entry;
    if (e.kind !== "file") return bad(`${via} is a ${e.kind}`);
    if (!(e.mode & 0o111)) return bad(`${via} is not executable (mode ${(e.mode & 0o7777).toString(8)})`);
    const d = e.data ?? new Uint8Array();
    if (d.length >= 20 && d[0] === 0x7f && d[1] === 0x45 && d[2] === 0x4c && d[3] === 0x46) {
      const machine = d[18] | (d[19] << 8);
      if (d[4] !== 1 || machine !== 3)
        return bad(
          `${via} is an ELF program for another machine (class ${d[4]}, e_machine ${machine}; the kernel runs 32-bit i386, e_machine 3)`,
        );
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
