// DOS names may hold ` $ ( ) & ' #: with such names for the DOS directory and both images, the
// generated /linuxrc and rc lines must still attach exactly those files and nothing else. Booted
// in QEMU; the guest's own report (loop backing files, the DOS listing) is the proof.
import { describe, it, expect } from "vitest";
import { validateConfig } from "../../src/validate.ts";
import { config, build, boot, timeline } from "./chain.ts";

describe("hostile DOS names in the guest", () => {
  it("a DOS directory named `REBOOT` with A'B$.IMG and #S&(1).SWP boots to a verified loop root", async () => {
    const c = config({ dos: { directory: "`REBOOT`", rootFile: "A'B$.IMG", swapFile: "#S&(1).SWP" } });
    expect(validateConfig(c)).toEqual([]);
    const images = build(c);
    expect(images.texts.linuxrc).toContain("/bin/losetup /dev/loop0 '/mnt/`reboot`/a'\\''b$.img'");
    const { result } = await boot("qemu", c, images.floppy, images.disk);
    expect(result.ok, timeline(result)).toBe(true);
    const text = result.lines.map((l) => l.text).join("\n");
    expect(text).toMatch(/LOOPROOT: loop0 \S*\/`reboot`\/a'b\$\.img/);
    expect(text).toMatch(/LOOPROOT: loop1 \S*\/`reboot`\/#s&\(1\)\.swp/);
    // reboot never ran: the machine reached the shell and stayed up.
    expect(text).not.toMatch(/reboot: Restarting system|Restarting system/);
  }, 150_000);
});
