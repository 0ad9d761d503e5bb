// The distribution kernel (images/kernel/bzImage-distro, boot.kernel "distro"): LOADLIN reads it
// from C:\LINUX on the hard disk, not from the floppy, and the default busybox root verifies on it
// in both engines; the images alone say where the kernel is (what `looproot boot` reads back).
import { describe, it, expect } from "vitest";
import { readFat } from "../../src/fs/fat/index.ts";
import { readImages } from "../../src/howto/fromimages.ts";
import { loadIngredients } from "../../src/node/ingredients.ts";
import { config, build, boot, timeline } from "./chain.ts";

const ing = loadIngredients();
const c = config({ boot: { kernel: "distro" } });
const images = build(c);

describe("the distribution kernel in C:\\LINUX", () => {
  it("is on the disk and named by the LOADLIN line, not on the floppy", () => {
    expect(images.texts.autoexecBat).toBe(
      "\\loadlin C:\\LINUX\\ZIMAGE initrd=\\initrdgz.img root=/dev/loop0 ro console=tty0 console=ttyS0,115200\r\n",
    );
    expect(readFat(images.floppy).entries.map((e) => e.path)).not.toContain("ZIMAGE");
    const part = readFat(images.disk, 63 * 512);
    const k = part.entries.find((e) => e.path === "LINUX\\ZIMAGE")!;
    expect(Buffer.from(k.data()).equals(Buffer.from(ing.kernelDistro!))).toBe(true);
    const back = readImages(images.floppy, images.disk).config;
    expect(back.boot.kernel).toBe("distro");
    expect(back.boot.kernelPath).toBe("\\ZIMAGE");
  });

  for (const engine of ["qemu", "v86"] as const) {
    it(`boots the default root to a verified loop root (${engine})`, async () => {
      const { result, engine: e } = await boot(engine, c, images.floppy, images.disk);
      await e.stop();
      expect(result.ok, timeline(result)).toBe(true);
      // The distribution kernel's own drivers came up: ext4 mounted the ext2 root, sockets exist.
      expect(
        result.lines.some((l) => /NET: Registered PF_UNIX/.test(l.text)),
        timeline(result),
      ).toBe(true);
    }, 300_000);
  }
});
