// A FAT floppy from the files a user picks, made in the page and offered as a download. Build with
// Vite (`npx vite build` in this folder) in a project that has run `npm install looproot`.
import { makeFatFloppy } from "looproot/fs";
import { LooprootError } from "looproot";

const $ = (id) => document.getElementById(id);
let url;

$("make").addEventListener("click", () => void make());
async function make() {
  const status = $("status");
  const link = $("download");
  link.hidden = true;
  try {
    const picked = [...$("files").files];
    // Each file by its DOS name (makeFatFloppy checks it) and its bytes; the time stamps are the
    // package's fixed default, so the same files give the same image.
    const files = await Promise.all(
      picked.map(async (f) => ({ path: f.name, data: new Uint8Array(await f.arrayBuffer()) })),
    );
    const image = makeFatFloppy({ files, label: $("label").value || undefined });
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(new Blob([image], { type: "application/octet-stream" }));
    link.href = url;
    link.hidden = false;
    status.textContent = `floppy.img: ${image.length.toLocaleString("en-US")} bytes, ${files.length} file${files.length === 1 ? "" : "s"}`;
    status.dataset.ok = "true";
  } catch (e) {
    // A user's mistake (a name that is not 8.3, too many bytes) names the file and the limit.
    if (!(e instanceof LooprootError)) throw e;
    status.textContent = e.message;
    status.dataset.ok = "false";
  }
}
