// The results of a build: its images and intermediate files to download, the line that boots them
// in QEMU, the generated texts (AUTOEXEC.BAT, /linuxrc, fstab, the rc file) and what each image holds.

import type { LooprootConfig } from "../config.ts";
import { h, $, fmtBytes, download, copyText } from "./dom.ts";
import type { BuildOutput, FatListing, TreeRow } from "./protocol.ts";

/** The same machine in QEMU: its RAM, the two images, boot from A:, the serial console on the terminal. */
const qemuLine = (memoryMiB: number) =>
  `qemu-system-i386 -m ${memoryMiB} -fda floppy.img -hda disk.img -boot a -serial stdio`;

const attrString = (a: number) => ["R", "H", "S", "V", "D", "A"].map((c, i) => (a & (1 << i) ? c : "-")).join("");

function fatTable(l: FatListing): HTMLElement {
  return h(
    "div",
    {},
    h(
      "p",
      {},
      `FAT${l.fatType}, label ${l.label ?? "(none)"}, OEM name ${l.oemName}, ${l.clusters.toLocaleString("en-US")} clusters of ${l.bytesPerCluster} bytes`,
    ),
    h(
      "table",
      { class: "listing" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "path"),
          h("th", { scope: "col" }, "size"),
          h("th", { scope: "col" }, "attributes"),
          h("th", { scope: "col" }, "date (UTC)"),
        ),
      ),
      h(
        "tbody",
        {},
        ...l.rows.map((r) =>
          h(
            "tr",
            {},
            h("td", {}, r.path),
            h("td", { class: "num" }, r.attributes & 0x10 ? "<DIR>" : r.size.toLocaleString("en-US")),
            h("td", {}, attrString(r.attributes)),
            h("td", {}, new Date(r.mtime * 1000).toISOString().slice(0, 16).replace("T", " ")),
          ),
        ),
      ),
    ),
  );
}

function modeString(r: TreeRow): string {
  const t =
    { dir: "d", symlink: "l", chardev: "c", blockdev: "b", fifo: "p", socket: "s", file: "-", hardlink: "-" }[r.kind] ??
    "?";
  let s = t;
  for (let i = 2; i >= 0; i--) {
    const b = (r.mode >> (i * 3)) & 7;
    s += (b & 4 ? "r" : "-") + (b & 2 ? "w" : "-") + (b & 1 ? "x" : "-");
  }
  return s;
}

function treeListing(rows: TreeRow[]): HTMLElement {
  const lines = rows.map((r) => {
    const size =
      r.kind === "chardev" || r.kind === "blockdev" ? r.extra.replace(",", ", ") : r.size.toLocaleString("en-US");
    const tail = r.kind === "symlink" ? ` -> ${r.extra}` : r.kind === "hardlink" ? ` link to ${r.extra}` : "";
    return `${modeString(r)} ${size.padStart(10)}  ${r.path}${tail}`;
  });
  return h("pre", { class: "listing-pre" }, `${rows.length} entries\n` + lines.join("\n"));
}

/** The results pane of a build: its files to download, the QEMU line, the generated texts, the listings. */
export function renderResults(o: BuildOutput, config: LooprootConfig | undefined): void {
  const qemu = qemuLine(config?.machine.memoryMiB ?? 64);
  const downloads = h(
    "ul",
    { class: "downloads", id: "downloads" },
    ...o.files.map((f) =>
      h(
        "li",
        {},
        h(
          "button",
          { type: "button", "data-file": f.name, onclick: () => download(f.name, f.data) },
          "Download ",
          h("code", {}, f.name),
        ),
        h("span", { class: "size" }, fmtBytes(f.data.length)),
        h("span", { class: "muted" }, f.description),
      ),
    ),
  );
  const texts: [string, string][] = [
    ["AUTOEXEC.BAT (the floppy, 3.7)", o.texts.autoexecBat.replace(/\r/g, "")],
    ["/linuxrc (the initial ramdisk, 3.3)", o.texts.linuxrc],
    ["/etc/fstab (the root device, 3.4)", o.texts.fstab],
    [`${config?.root.source === "tar" ? "/sbin/looproot-init" : "/etc/init.d/rcS"} (the rc file, 3.4)`, o.texts.rc],
  ];
  if (o.texts.loadlinParams)
    texts.push(["LOADLIN.PAR (LOADLIN's @params file)", o.texts.loadlinParams.replace(/\r/g, "")]);
  $("#results").replaceChildren(
    h("h3", {}, "Images and intermediate files"),
    h(
      "p",
      { class: "muted" },
      `DOS on the floppy: ${o.dosName}; ${o.floppyFreeBytes.toLocaleString("en-US")} bytes free on it.`,
    ),
    downloads,
    h("h3", {}, "Boot these in QEMU"),
    h(
      "div",
      { class: "qemu" },
      h("code", { id: "qemu-line" }, qemu),
      h(
        "button",
        { type: "button", id: "copy-qemu", onclick: () => void copyText(qemu, "#copy-qemu", "#qemu-line") },
        "Copy",
      ),
    ),
    h("h3", {}, "Generated files"),
    ...texts.map(([title, text], i) =>
      h("details", { class: "text", open: i === 0 }, h("summary", {}, title), h("pre", {}, text)),
    ),
    h("h3", {}, "What is in each image"),
    h("details", { id: "list-floppy" }, h("summary", {}, o.listings.floppy.title), fatTable(o.listings.floppy)),
    h(
      "details",
      { id: "list-partition" },
      h("summary", {}, o.listings.partition.title),
      fatTable(o.listings.partition),
    ),
    h(
      "details",
      { id: "list-initrd" },
      h("summary", {}, "The initial ramdisk (INITRDGZ.IMG, ext2)"),
      treeListing(o.listings.initrd),
    ),
    h(
      "details",
      { id: "list-root" },
      h("summary", {}, "The root device (LINUXDSK.IMG, ext2)"),
      treeListing(o.listings.root),
    ),
  );
}
