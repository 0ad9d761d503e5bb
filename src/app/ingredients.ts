// The guest binaries for a build in the page: fetched from images/ on this origin (the same files
// the CLI reads from disk), and optionally the user's own DOS taken out of an uploaded boot floppy.

import {
  parseAppletList,
  ingredientsFromBytes,
  DISTRO_KERNEL_FILE,
  dosFromFloppy as coreDosFromFloppy,
  type IngredientBytes,
  type Ingredients,
  type DosSystem,
} from "../ingredients.ts";
import { APP_INGREDIENT_FILES as F } from "./assets.ts";
import { LooprootError, ErrorCode } from "../errors.ts";

export type FetchBytes = (rel: string) => Promise<Uint8Array>;

/** Reads images/<rel> over HTTP, with an error that says which file is missing. */
export function httpFetcher(base: string): FetchBytes {
  return async (rel) => {
    let res: Response;
    try {
      res = await fetch(new URL("images/" + rel, base), { cache: "no-cache" });
    } catch (e) {
      throw new LooprootError(ErrorCode.Ingredients, `images/${rel}: could not be fetched (${(e as Error).message})`, {
        data: { missing: [rel] },
      });
    }
    if (!res.ok)
      throw new LooprootError(
        ErrorCode.Ingredients,
        `images/${rel} is missing (HTTP ${res.status}): the guest binaries have not been built yet (\`npm run images\`)`,
        { data: { missing: [rel] } },
      );
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
  const failed = got.flatMap((g) => (g.status === "rejected" ? [g.reason as unknown] : []));
  // Missing files are reported together; anything else that went wrong is a bug and propagates as one.
  const foreign = failed.find((r) => !(r instanceof LooprootError));
  if (foreign !== undefined) throw foreign;
  if (failed.length)
    throw new LooprootError(ErrorCode.Ingredients, (failed as LooprootError[]).map((r) => r.message).join("\n"), {
      data: { missing: (failed as LooprootError[]).flatMap((r) => (r.data.missing as string[]) ?? []) },
    });
  const ing = ingredientsFromBytes(
    Object.fromEntries(
      names.map((k, i) => [k, (got[i] as PromiseFulfilledResult<Uint8Array>).value]),
    ) as IngredientBytes,
  );
  // The distribution kernel is optional: without it only boot.kernel "distro" fails, naming the file.
  const distro = await get(DISTRO_KERNEL_FILE).catch((e: unknown) => {
    if (e instanceof LooprootError) return undefined;
    throw e;
  });
  return distro ? { ...ing, kernelDistro: distro } : ing;
}

/** "Bring your own DOS": the same function as the CLI's --dos, with the page's "DOS floppy:" prefix. */
export function dosFromFloppy(image: Uint8Array): DosSystem {
  // extractSystem's errors (E_IMAGE) already say "DOS floppy: ...".
  return coreDosFromFloppy(image);
}
