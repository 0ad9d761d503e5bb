// The hints a failed boot gets: every failure the milestone table can name and every stage a boot
// can stall at has one, each points at fields the form has, and the guest's own failure lines lead
// to the choice that causes them.

import { describe, it, expect } from "vitest";
import { MILESTONES, FAILURES, MilestoneTracker } from "../../emulator/milestones.ts";
import { hintFor, HINTS_BY_FAILURE, HINTS_BY_STAGE } from "../../emulator/hints.ts";
import { ALL_FIELDS } from "../../src/app/fields.ts";

const FORM_FIELDS = new Set([...ALL_FIELDS.map((f) => f.path), "root.archive", "dos.system"]);
const CONTEXTS = [
  { ownDos: false, ownRoot: false },
  { ownDos: true, ownRoot: true },
];

describe("hints for failed boots", () => {
  it("cover every failure and every stage, and name only fields the form has", () => {
    for (const f of FAILURES) expect(HINTS_BY_FAILURE[f.id], f.id).toBeDefined();
    for (const m of MILESTONES) expect(HINTS_BY_STAGE[m.id], m.id).toBeDefined();
    for (const ctx of CONTEXTS) {
      for (const m of MILESTONES) {
        for (const id of [...FAILURES.map((f) => f.id), "stalled", "emulator-crashed", "shell-as-init"] as const) {
          const h = hintFor({ stage: m.id, id }, ctx)!;
          expect(h.sentence.length, `${m.id} ${id}`).toBeGreaterThan(20);
          expect(h.fields.length).toBeGreaterThan(0);
          for (const f of h.fields) expect(FORM_FIELDS.has(f), `${id} -> ${f}`).toBe(true);
        }
      }
    }
  });

  it("lead from the guest's own failure line to the choice that causes it", () => {
    // The stage reached before the line, the line, and the field the hint must name first.
    const cases: [string, string, string, boolean][] = [
      ["initrd", "INITRD: Mount failed", "dos.device", false],
      ["linuxrc-mount", "INITRD: losetup /dev/loop0 /mnt/linux/linuxdsk.img failed", "dos.directory", false],
      ["loop-setup", 'VFS: Cannot open root device "loop1" or unknown-block(7,1): error -6', "boot.root", false],
      ["bios", "LRDOS.SYS missing", "dos.system", true],
      ["dos", "Bad command or file name", "boot.loadlinPath", false],
      [
        "old-root-moved",
        "Kernel panic - not syncing: Requested init /sbin/looproot-init failed (error -8).",
        "root.archive",
        true,
      ],
      ["kernel", "Kernel panic - not syncing: Out of memory and no killable processes...", "machine.memoryMiB", false],
    ];
    const lines: Record<string, string> = {
      bios: "SeaBIOS (version 1.16.2)",
      dos: "LRDOS 0.1",
      autoexec: "A:\\>\\loadlin \\zImage",
      loadlin: "LOADLIN v1.6f",
      kernel: "Linux version 6.1.0",
      initrd: "RAMDISK: gzip image found at block 0",
      "linuxrc-mount": "INITRD: Mounted OK",
      "loop-setup": "INITRD: Loop devices set up",
      "root-mounted": "VFS: Mounted root (ext2 filesystem) readonly on device 7:0.",
      "old-root-moved": "Trying to move old root to /initrd ... okay",
    };
    for (const [upTo, line, field, own] of cases) {
      const t = new MilestoneTracker();
      const ids = MILESTONES.map((m) => m.id);
      for (const id of ids.slice(0, ids.indexOf(upTo as never) + 1)) t.feedSerial(lines[id] + "\n", 0);
      t.feedSerial(line + "\n", 1);
      expect(t.failure, line).toBeDefined();
      const h = hintFor(t.failure!, { ownDos: own, ownRoot: own })!;
      expect(h.fields[0], line).toBe(field);
    }
  });
});
