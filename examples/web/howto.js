// The whole HOWTO in a page: looproot builds the images, looproot/emulator boots them in v86 and
// checks what the guest prints. The guest binaries and the PC's firmware come from the installed
// package (`looproot/images/...`), v86's wasm from the v86 package looproot installs; Vite's
// `?url` turns each into a file of the built site.
import { buildHowto, ingredientsFrom, INGREDIENT_FILES, LooprootError } from "looproot";
import { bootHowto } from "looproot/emulator";
import wasmPath from "v86/build/v86.wasm?url";
import kernel from "looproot/images/kernel/bzImage?url";
import busyboxInitrd from "looproot/images/busybox/busybox-initrd?url";
import initrdApplets from "looproot/images/busybox/busybox-initrd.applets?url";
import busyboxRoot from "looproot/images/busybox/busybox-root?url";
import rootApplets from "looproot/images/busybox/busybox-root.applets?url";
import loadlin from "looproot/images/debian/LOADLIN.EXE?url";
import dosBoot from "looproot/images/dos/boot12.bin?url";
import dosKernel from "looproot/images/dos/LRDOS.SYS?url";
import dosShell from "looproot/images/dos/COMMAND.COM?url";
import biosUrl from "looproot/images/debian/bios.bin?url";
import vgaBiosUrl from "looproot/images/debian/vgabios-stdvga.bin?url";

// INGREDIENT_FILES names each guest binary by its path under images/; ingredientsFrom asks for those.
const files = { kernel, busyboxInitrd, initrdApplets, busyboxRoot, rootApplets, loadlin, dosBoot, dosKernel, dosShell };
const urlOf = Object.fromEntries(Object.entries(INGREDIENT_FILES).map(([key, rel]) => [rel, files[key]]));

const $ = (id) => document.getElementById(id);
const log = (text) => $("log").append(Object.assign(document.createElement("li"), { textContent: text }));

async function bytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

let controller;
$("cancel").addEventListener("click", () => controller?.abort(new Error("Cancel pressed")));
$("boot").addEventListener("click", () => void boot());
async function boot() {
  const verdict = $("verdict");
  delete verdict.dataset.ok;
  verdict.textContent = "";
  $("log").replaceChildren();
  $("boot").disabled = true;
  $("cancel").disabled = false;
  controller = new AbortController();
  try {
    const ingredients = await ingredientsFrom((rel) => bytes(urlOf[rel]));
    const config = {};
    const build = buildHowto({
      config,
      ingredients,
      onStep: (s) => log(`${s.section} ${s.title}: ${s.bytes.toLocaleString("en-US")} bytes, ${Math.round(s.ms)} ms`),
    });
    const [bios, vgaBios] = await Promise.all([bytes(biosUrl), bytes(vgaBiosUrl)]);
    const result = await bootHowto(build, config, {
      bios,
      vgaBios,
      wasmPath,
      screen: $("screen"),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "milestone") log(`${(e.milestone.atMs / 1000).toFixed(1)} s: ${e.milestone.title}`);
      },
    });
    verdict.textContent = result.summary;
    verdict.dataset.ok = String(result.ok);
  } catch (e) {
    // E_ABORTED when Cancel was pressed; other LooprootErrors name the field and the limit.
    if (!(e instanceof LooprootError)) throw e;
    verdict.textContent = `${e.code}: ${e.message}`;
    verdict.dataset.ok = "false";
  } finally {
    $("boot").disabled = false;
    $("cancel").disabled = true;
  }
}
