// The choices the HOWTO's sections 3.3 to 3.7 leave to the reader, in its order, each with the
// HOWTO's own line of explanation. The form's rows are the settings table's (src/settings.ts);
// this file gives the sections their titles and intros.

import { safeText } from "../util/safe.ts";
import { V86_PC } from "../../emulator/pc.ts";
import type { LooprootConfig } from "../config.ts";
import { SETTINGS, type FormSection, type SettingRow, type Stage, type Today } from "../settings.ts";

export type FieldKind = "int" | "text" | "select" | "bool";

export interface FieldDef {
  path: string;
  label: string;
  kind: FieldKind;
  /** The HOWTO's words for this choice (or, where it says nothing, ours, marked as such). */
  howto: string;
  /** The command or file line of the HOWTO the value goes into. */
  where?: string;
  unit?: string;
  options?: readonly { value: string | number; label: string }[];
  /** Where today differs from the HOWTO for this choice. */
  today?: Today;
  uses: readonly Stage[];
}

export interface SectionDef {
  id: FormSection;
  section: string;
  title: string;
  intro: string;
  fields: FieldDef[];
  /** HOWTO_DIFFERENCES entries shown with the section rather than a single field. */
  notes?: string[];
}

/** A settings row as the form shows it. */
function fieldOf(r: SettingRow): FieldDef {
  const { path, label, howto, uses } = r;
  return {
    path,
    label,
    howto,
    uses,
    kind: r.kind === "choice" ? "select" : r.kind,
    ...(r.where ? { where: r.where } : {}),
    ...(r.kind === "int" ? { unit: r.unit } : {}),
    ...(r.kind === "choice" ? { options: r.options } : {}),
    ...(r.today ? { today: r.today } : {}),
  };
}

const fieldsOf = (id: FormSection): FieldDef[] =>
  (SETTINGS as readonly SettingRow[]).filter((r) => r.section === id).map(fieldOf);

export const SECTIONS: SectionDef[] = [
  {
    id: "initrd",
    section: "3.3",
    title: "The initial ramdisk",
    intro: "An ext2 image with /linuxrc, a shell, mount and losetup, gzip'd for the floppy.",
    notes: ["linuxrc", "initrd /lib and /etc", "initrd /dev"],
    fields: fieldsOf("initrd"),
  },
  {
    id: "root",
    section: "3.4",
    title: "The root device",
    intro: "LINUXDSK.IMG: the ext2 filesystem that becomes / on /dev/loop0.",
    fields: fieldsOf("root"),
  },
  {
    id: "swap",
    section: "3.5",
    title: "The swap device",
    intro: "LINUXSWP.IMG: an empty file initialised with mkswap, swapped on as /dev/loop1.",
    fields: fieldsOf("swap"),
  },
  {
    id: "dosdir",
    section: "3.6",
    title: "The MS-DOS directory",
    intro: "C:\\LINUX on the hard disk's FAT16 partition holds the two image files.",
    fields: fieldsOf("dosdir"),
  },
  {
    id: "floppy",
    section: "3.7",
    title: "The boot floppy",
    intro: "“The boot floppy that is used is just a normal DOS format bootable floppy.” (format a: /s)",
    fields: fieldsOf("floppy"),
  },
  {
    id: "machine",
    section: "PC",
    title: "The emulated PC",
    // Which PC it is, as measured from a booted guest (emulator/pc.ts): v86 has no other.
    intro: `v86's one fixed PC, with SeaBIOS and a 1.44 MB floppy drive: ${V86_PC.chipset}. Its CPU answers CPUID as ${V86_PC.cpu}. Other PCs (a 486, ISA-only, AHCI) are the command line's: looproot boot --engine qemu --machine isapc|q35 --cpu 486|pentium|… or --engine bochs.`,
    fields: fieldsOf("machine"),
  },
];

export const ALL_FIELDS: FieldDef[] = SECTIONS.flatMap((s) => s.fields);

/** Fields outside the table: the uploads. */
const EXTRA_NAMES: Record<string, string> = {
  "root.archive": "Root tarball",
  "dos.system": "DOS for “format a: /s”",
  config: "the config",
};

/**
 * A field's name in the words of the form: its label, with the section's subject where another
 * field has the same label ("Size of the root device").
 */
export function fieldName(path: string): string {
  if (EXTRA_NAMES[path]) return EXTRA_NAMES[path];
  for (const s of SECTIONS) {
    const f = s.fields.find((x) => x.path === path);
    if (!f) continue;
    const shared = ALL_FIELDS.filter((x) => x.label === f.label).length > 1;
    return shared
      ? `${f.label} of ${s.title.replace(/^The /, "the ").replace(/^An? /, (m) => m.toLowerCase())}`
      : f.label;
  }
  return path;
}

// Only dotted keys are rewritten: a bare "name" in a message is the English word ("8.3 name").
const PATHS = [...ALL_FIELDS.map((f) => f.path), ...Object.keys(EXTRA_NAMES)]
  .filter((p) => p.includes("."))
  .sort((a, b) => b.length - a.length);
const PATH_RE = new RegExp(`(?<![\\w.])(${PATHS.map((p) => p.replace(/\./g, "\\.")).join("|")})(?![\\w])`, "g");

/**
 * A problem's message with the internal keys it mentions replaced by the form's labels; a quoted
 * value (the user's own text) is left exactly as it is (control characters shown escaped, long
 * values cut).
 */
export function inWords(message: string): string {
  return safeText(message, 1000)
    .split(/("[^"]*")/)
    .map((part, i) => (i % 2 ? part : part.replace(PATH_RE, (p) => `“${fieldName(p)}”`)))
    .join("");
}

/** A section's intro for these choices: the HOWTO's file and directory names become the chosen ones. */
export function introFor(s: SectionDef, c: LooprootConfig): string {
  return s.intro
    .replace(/C:\\LINUX\b/g, `C:\\${c.dos.directory}`)
    .replace(/\bLINUXDSK\.IMG\b/g, c.dos.rootFile)
    .replace(/\bLINUXSWP\.IMG\b/g, c.dos.swapFile);
}
