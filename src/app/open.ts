// "Open images": boot a floppy.img and disk.img the user picks (an earlier save, `looproot build`'s
// output, a real machine's) without rebuilding. The worker checks both and reads the settings back
// from them (src/howto/fromimages.ts); the boot is then verified against what the images name.
// A refused pair is named in the status line and nothing boots.

import type { LooprootConfig } from "../config.ts";
import type { SeeReport } from "../fs/views/see.ts";
import { h, $, fmtSize } from "./dom.ts";
import { safeText } from "../util/safe.ts";

/** Sizes checked before any byte is read: the largest floppy the BIOS knows, the largest disk v86 takes here. */
export const OPEN_FLOPPY_MAX_BYTES = 2_949_120;
export const OPEN_DISK_MAX_BYTES = 2 ** 31 - 1;

export interface OpenedImages {
  floppy: Uint8Array;
  disk: Uint8Array;
  config: LooprootConfig;
  rootFile: string;
  swapFile: string;
  /** Their maps and files, read in the same worker. */
  see?: SeeReport;
}

export interface OpenHooks {
  /** Reads and checks the pair off the page's thread; rejects with the images' problem. */
  read: (floppy: File, disk: File) => Promise<OpenedImages>;
  boot: (opened: OpenedImages) => Promise<void>;
}

export class OpenImages {
  readonly el: HTMLElement;
  private seq = 0;

  constructor(private hooks: OpenHooks) {
    const input = (id: string, label: string) => [
      h("label", { for: id }, label),
      h("input", { id, type: "file", accept: ".img,.ima,application/octet-stream", onchange: () => this.changed() }),
    ];
    this.el = h(
      "details",
      { class: "open-images", id: "open-images" },
      h("summary", {}, "Open images…"),
      h(
        "p",
        { class: "hint" },
        "Boot a floppy.img and disk.img you have (saved here before, written by looproot build, or taken from a real PC) without rebuilding: they are checked first, and the boot is verified against the settings read from them.",
      ),
      h(
        "div",
        { class: "open-row" },
        ...input("open-floppy", "Floppy"),
        ...input("open-disk", "Disk"),
        h(
          "button",
          { id: "open-boot", type: "button", disabled: true, onclick: () => void this.open() },
          "Check and boot",
        ),
      ),
      h("p", { id: "open-status", class: "hint", role: "status", "aria-live": "polite" }),
    );
  }

  private files(): { floppy?: File; disk?: File } {
    return {
      floppy: ($("#open-floppy", this.el) as HTMLInputElement).files?.[0],
      disk: ($("#open-disk", this.el) as HTMLInputElement).files?.[0],
    };
  }

  private status(text: string, bad = false): void {
    const p = $("#open-status", this.el);
    p.textContent = text;
    p.dataset.bad = String(bad);
  }

  private changed(): void {
    const { floppy, disk } = this.files();
    this.seq++;
    ($("#open-boot", this.el) as HTMLButtonElement).disabled = !floppy || !disk;
    this.status(floppy && disk ? "" : "Pick both images.");
  }

  private async open(): Promise<void> {
    const { floppy, disk } = this.files();
    if (!floppy || !disk) return;
    const seq = ++this.seq;
    if (floppy.size > OPEN_FLOPPY_MAX_BYTES)
      return this.status(
        `${floppy.name}: ${fmtSize(floppy.size)} is larger than any floppy (at most ${fmtSize(OPEN_FLOPPY_MAX_BYTES)}); nothing was booted.`,
        true,
      );
    if (disk.size > OPEN_DISK_MAX_BYTES)
      return this.status(
        `${disk.name}: ${fmtSize(disk.size)} is larger than the page can boot (at most ${fmtSize(OPEN_DISK_MAX_BYTES)}); nothing was booted.`,
        true,
      );
    this.status(`Checking ${floppy.name} and ${disk.name}…`);
    let opened: OpenedImages;
    try {
      opened = await this.hooks.read(floppy, disk);
    } catch (e) {
      if (seq === this.seq) this.status(`Not booted: ${safeText((e as Error).message, 1000)}`, true);
      return;
    }
    if (seq !== this.seq) return;
    const c = opened.config;
    const dirty = fatMarkedInUse(opened.disk)
      ? ` Warning: ${disk.name} was not shut down cleanly (its DOS partition is still marked in use), so Linux may find errors on it; a clean shutdown (poweroff, or Shut down and save) avoids that.`
      : "";
    this.status(
      `Opened: root ${opened.rootFile} on ${c.boot.root}, swap ${opened.swapFile}, ${c.machine.memoryMiB} MiB; booting and verifying against these.${dirty}`,
      !!dirty,
    );
    await this.hooks.boot(opened);
  }
}

/**
 * The "volume dirty" bit Linux sets on a FAT partition it mounts and a clean shutdown clears
 * (rootdev.ts's fatCleanCommand: boot sector byte 0x25, 0x41 on FAT32), of the MBR's first partition.
 */
export function fatMarkedInUse(disk: Uint8Array): boolean {
  if (disk.length < 512) return false;
  const start = new DataView(disk.buffer, disk.byteOffset).getUint32(446 + 8, true) * 512;
  if (start + 512 > disk.length) return false;
  const fat32 = new TextDecoder().decode(disk.subarray(start + 82, start + 87)) === "FAT32";
  return (disk[start + (fat32 ? 0x41 : 0x25)] & 1) === 1;
}
