// Times the direct boot of one or more bzImages in v86 (Node), with the images of
// tests/boot/direct-boot.test.ts: when the kernel's first line, the RAM disk, /linuxrc and the
// loop root's init appear on the serial console. Used to choose the kernel compressor
// (decompression is part of the boot time); the numbers go to NOTES.md, not into any output.
//
//   npx tsx images/kernel/measure-boot.ts path/to/bzImage [more bzImages...]

import { readFileSync, statSync } from "node:fs";
import { buildDirectImages, startDirectMachine } from "../../tests/boot/direct-images.ts";

const marks: [string, RegExp][] = [
  ["first kernel line", /Linux version/],
  ["RAMDISK found", /RAMDISK: gzip image found/],
  ["/linuxrc started", /LINUXRC: started/],
  ["loop root init", /ROOT: done/],
];

const images = buildDirectImages();
for (const path of process.argv.slice(2)) {
  const t0 = performance.now();
  const m = await startDirectMachine(readFileSync(path), images);
  const times: string[] = [];
  for (const [name, re] of marks) {
    await m.waitForSerial(re, 120_000);
    times.push(`${name} ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  }
  await m.stop();
  console.log(`${path} (${statSync(path).size} bytes): ${times.join(", ")}`);
}
