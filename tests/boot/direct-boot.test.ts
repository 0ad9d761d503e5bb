// Boots images/kernel/bzImage in v86 without DOS (v86's direct Linux boot): the gzip'd ext2
// initrd's /linuxrc must run through the kernel's old-style initrd path, mount the FAT16
// partition of the IDE disk (/dev/sda1 through ata_piix + sd), attach the loop root, and the
// kernel must then mount /dev/loop0 as / and run its /sbin/init.

import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Machine } from "../../emulator/machine.ts";
import { BIOS, BUSYBOX, BZIMAGE, HELLO, VGABIOS, WASM, startDirectMachine } from "./direct-images.ts";

describe("direct boot of images/kernel/bzImage in v86", () => {
  let m: Machine | undefined;

  beforeAll(() => {
    for (const f of [BZIMAGE, BUSYBOX, BIOS, VGABIOS, WASM])
      if (!existsSync(f)) throw new Error(`direct boot: ${f} is missing`);
  });
  afterAll(async () => {
    await m?.stop();
  });

  it("runs /linuxrc from the gzip'd ext2 initrd, mounts /dev/sda1 (FAT16) and comes up on the loop root", async () => {
    m = await startDirectMachine(readFileSync(BZIMAGE));
    await m.waitForSerial(/ROOT: done|Kernel panic/, 90_000);
    const out = m.serialText();

    // The kernel: the PIIX IDE disk and its partition, the RAM disk from the initrd.
    expect(out).toMatch(/Linux version 6\.1\.\d+/);
    expect(out).toMatch(/sd 0:0:0:0: \[sda\]/);
    expect(out).toMatch(/sda: sda1/);
    expect(out).toMatch(/RAMDISK: gzip image found at block 0/);
    expect(out).not.toMatch(/Kernel panic/);
    // The old-style initrd path and /linuxrc.
    expect(out).toContain("using deprecated initrd support");
    expect(out).toContain("LINUXRC: started");
    expect(out).toContain("LINUXRC: mounted /dev/sda1 on /mnt");
    expect(out).toMatch(/LINUXRC: ls \/mnt: .*hello\.txt/);
    expect(out).toMatch(/LINUXRC: ls \/mnt: .*linux/);
    expect(out).toContain(`LINUXRC: hello.txt says: ${HELLO.trim()}`);
    expect(out).toContain("LINUXRC: loop0 attached");
    // Back in the kernel: root=/dev/loop0, the initrd moved to /initrd, init on the loop root.
    expect(out).toMatch(/VFS: Mounted root \(ext2 filesystem\) readonly on device 7:0/);
    expect(out).toMatch(/Trying to move old root to \/initrd \.\.\.\s*okay/);
    expect(out).toContain("ROOT: /sbin/init on the loop root");
    expect(out).toMatch(/\/dev\/root \/ ext2 ro/);
  });
});
