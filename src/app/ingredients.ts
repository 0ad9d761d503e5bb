// The guest binaries for a build in the page: fetched from images/ on this origin (the same files
// the CLI reads from disk), and optionally the user's own DOS taken out of an uploaded boot floppy.

import { parseAppletList, dosFromFloppy as coreDosFromFloppy, type Ingredients, type DosSystem } from "../ingredients.ts";
import { ATTR_ARCHIVE, ATTR_HIDDEN, ATTR_READ_ONLY, ATTR_SYSTEM } from "../fs/fat.ts";
import { APP_INGREDIENT_FILES as F } from "./assets.ts";

export type FetchBytes = (rel: string) => Promise<Uint8Array>;

/** Reads images/<rel> over HTTP, with an error that says which file is missing. */
export function httpFetcher(base: string): FetchBytes {
  return async (rel) => {
    let res: Response;
    try {
      res = await fetch(new URL("images/" + rel, base), { cache: "no-cache" });
    } catch (e) {
      throw new Error(`images/${rel}: could not be fetched (${(e as Error).message})`);
    }
    if (!res.ok) throw new Error(`images/${rel} is missing (HTTP ${res.status}): the guest binaries have not been built yet (\`npm run images\`)`);
    return new Uint8Array(await res.arrayBuffer());
  };
}

/** The applet paths `busybox --list-full` printed (the same parser as the CLI's). */
export function appletList(text: Uint8Array): string[] {
  return parseAppletList(new TextDecoder().decode(text));
}

export async function loadIngredients(get: FetchBytes): Promise<Ingredients> {
  const names = Object.keys(F) as (keyof typeof F)[];
  const got = await Promise.allSettled(names.map((k) => get(F[k])));
  const missing = got.flatMap((g) => (g.status === "rejected" ? [(g.reason as Error).message] : []));
  if (missing.length) throw new Error(missing.join("\n"));
  const b = Object.fromEntries(names.map((k, i) => [k, (got[i] as PromiseFulfilledResult<Uint8Array>).value])) as Record<keyof typeof F, Uint8Array>;
  const sys = ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM;
  return {
    kernel: b.kernel,
    busyboxInitrd: b.busyboxInitrd,
    initrdApplets: appletList(b.initrdApplets),
    busyboxRoot: b.busyboxRoot,
    rootApplets: appletList(b.rootApplets),
    loadlin: b.loadlin,
    dos: {
      name: "LRDOS",
      bootSector: b.dosBoot,
      files: [
        { name: "LRDOS.SYS", data: b.dosKernel, attributes: sys },
        { name: "COMMAND.COM", data: b.dosShell, attributes: ATTR_ARCHIVE },
      ],
    },
  };
}

/** "Bring your own DOS": the same function as the CLI's --dos, with the page's "DOS floppy:" prefix. */
export function dosFromFloppy(image: Uint8Array): DosSystem {
  try {
    return coreDosFromFloppy(image);
  } catch (e) {
    throw new Error(`DOS floppy: ${(e as Error).message.replace(/^DOS floppy: /, "")}`);
  }
}
