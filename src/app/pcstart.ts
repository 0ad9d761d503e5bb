// Starting the page's PC: v86 with SeaBIOS (fetched once from this origin), its wasm, and the VGA
// screen in the page; the same for a boot and for a restored snapshot.

import wasmUrl from "v86/build/v86.wasm?url";
import { startV86Browser, type BrowserEngine } from "../../emulator/v86-browser.ts";
import { httpFetcher } from "./ingredients.ts";
import { APP_BIOS_FILES } from "./assets.ts";
import { $ } from "./dom.ts";

let biosCache: Promise<{ bios: Uint8Array; vgaBios: Uint8Array }> | undefined;

function biosFiles(): Promise<{ bios: Uint8Array; vgaBios: Uint8Array }> {
  if (!biosCache) {
    const get = httpFetcher(document.baseURI);
    // A failed fetch is tried again at the next start.
    biosCache = Promise.all([get(APP_BIOS_FILES.bios), get(APP_BIOS_FILES.vgaBios)]).then(
      ([bios, vgaBios]) => ({ bios, vgaBios }),
      (e) => ((biosCache = undefined), Promise.reject(e)),
    );
  }
  return biosCache;
}

/** A PC on these images with this much memory, drawing into the page's #screen. */
export async function startPagePc(
  images: { floppy: Uint8Array; disk: Uint8Array },
  memoryMiB: number,
  net = false,
): Promise<BrowserEngine> {
  return startV86Browser({
    floppy: images.floppy,
    disk: images.disk,
    memoryMiB,
    ...(net ? { net } : {}),
    ...(await biosFiles()),
    wasmPath: new URL(wasmUrl, document.baseURI).href,
    screen: $("#screen"),
  });
}
