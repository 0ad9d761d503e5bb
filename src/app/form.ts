// The form of the HOWTO's choices: one field per setting with its default, the HOWTO's line, the
// difference from today's kernel where there is one, and the problems validateConfig finds,
// shown next to the field as the user types.

import { defaultConfig, HOWTO_DIFFERENCES, type LooprootConfig } from "../config.ts";
import type { Problem } from "../validate.ts";
import { SECTIONS, fieldName, inWords, introFor, type FieldDef } from "./fields.ts";
import { getPath, setPath, type Value } from "./share.ts";
import { h, idOf } from "./dom.ts";

export interface FormHandlers {
  /** A field changed: the new config (unparseable text leaves the old value and a problem). */
  onChange(config: LooprootConfig, parseProblems: Problem[]): void;
  onRootArchive(file: File | undefined): void;
  onDosFloppy(file: File | undefined): void;
}

const DEFAULTS = defaultConfig();

function defaultText(f: FieldDef): string {
  const v = getPath(DEFAULTS, f.path);
  if (f.kind === "bool") return v ? "on" : "off";
  const opt = f.options?.find((o) => o.value === v);
  return opt ? opt.label : String(v) + (f.unit ? " " + f.unit : "");
}

export class ChoicesForm {
  readonly el: HTMLFormElement;
  private config: LooprootConfig;
  /** Text a user typed that is not a number yet, per field. */
  private parseProblems = new Map<string, string>();
  private preview: HTMLElement;
  readonly rootFileInput: HTMLInputElement;
  readonly dosFileInput: HTMLInputElement;
  private dosChoice: HTMLSelectElement;

  constructor(
    config: LooprootConfig,
    private readonly handlers: FormHandlers,
  ) {
    this.config = config;
    this.el = h("form", {
      id: "choices",
      "aria-label": "The HOWTO's choices",
      novalidate: true,
      onsubmit: (e) => e.preventDefault(),
    });
    this.rootFileInput = h("input", {
      type: "file",
      id: "root-archive",
      accept: ".tar,.tgz,.tar.gz,application/x-tar,application/gzip",
      "aria-describedby": "root-archive-status",
    });
    this.rootFileInput.addEventListener("change", () => handlers.onRootArchive(this.rootFileInput.files?.[0]));
    this.dosFileInput = h("input", {
      type: "file",
      id: "dos-floppy",
      accept: ".img,.ima,.flp,application/octet-stream",
      "aria-describedby": "dos-floppy-status",
    });
    this.dosFileInput.addEventListener("change", () => handlers.onDosFloppy(this.dosFileInput.files?.[0]));
    this.dosChoice = h(
      "select",
      { id: "dos-choice" },
      h("option", { value: "lrdos" }, "LRDOS, looproot's own small DOS"),
      h("option", { value: "own" }, "my own DOS boot floppy (FreeDOS, MS-DOS, …)"),
    );
    this.dosChoice.addEventListener("change", () => {
      const own = this.dosChoice.value === "own";
      this.dosFileInput.disabled = !own;
      if (!own) {
        this.dosFileInput.value = "";
        handlers.onDosFloppy(undefined);
      }
    });
    this.dosFileInput.disabled = true;
    this.preview = h("pre", {
      class: "preview",
      id: "autoexec-preview",
      "aria-label": "AUTOEXEC.BAT as it will be written",
    });

    for (const s of SECTIONS) {
      const fs = h(
        "fieldset",
        { id: `section-${s.id}`, class: "section" },
        h("legend", {}, h("span", { class: "secno" }, s.section), " ", s.title),
        h("p", { class: "intro", "data-intro": s.id }, introFor(s, this.config)),
      );
      const notes = (s.notes ?? []).flatMap((n) => HOWTO_DIFFERENCES.filter((x) => x.field === n));
      if (notes.length) {
        fs.append(
          h(
            "details",
            { class: "diffs", open: s.id === "initrd" ? undefined : true },
            h(
              "summary",
              {},
              `Where today's ${s.title.replace(/^The /, "").toLowerCase()} differs from the HOWTO (${notes.length})`,
            ),
            ...notes.map((d) => this.diffNote(d)),
          ),
        );
      }
      for (const f of s.fields) {
        fs.append(this.field(f));
        if (f.path === "root.source") fs.append(this.rootArchiveRow());
      }
      if (s.id === "floppy") {
        fs.append(this.dosRow());
        fs.append(h("div", { class: "field" }, h("span", { class: "label" }, "AUTOEXEC.BAT"), this.preview));
      }
      this.el.append(fs);
    }
    this.sync();
  }

  private diffNote(d: (typeof HOWTO_DIFFERENCES)[number]): HTMLElement {
    return h(
      "p",
      { class: "diff" },
      h("span", { class: "diff-tag" }, "today"),
      " HOWTO: ",
      h("code", {}, d.howto),
      " → here: ",
      h("code", {}, d.here),
      ". ",
      d.why,
    );
  }

  private field(f: FieldDef): HTMLElement {
    const id = "in-" + idOf(f.path);
    const desc = `howto-${idOf(f.path)} err-${idOf(f.path)}`;
    let control: HTMLElement;
    if (f.kind === "bool") {
      control = h("input", { type: "checkbox", id, name: f.path, "aria-describedby": desc });
      control.addEventListener("change", () => this.set(f, (control as HTMLInputElement).checked));
    } else if (f.kind === "select") {
      control = h(
        "select",
        { id, name: f.path, "aria-describedby": desc },
        ...(f.options ?? []).map((o) => h("option", { value: String(o.value) }, o.label)),
      );
      control.addEventListener("change", () => {
        const raw = (control as HTMLSelectElement).value;
        const opt = f.options!.find((o) => String(o.value) === raw)!;
        this.set(f, opt.value);
      });
    } else {
      control = h("input", {
        type: "text",
        id,
        name: f.path,
        "aria-describedby": desc,
        spellcheck: "false",
        autocomplete: "off",
        ...(f.kind === "int" ? { inputmode: "numeric" } : {}),
      });
      control.addEventListener("input", () => this.typed(f, (control as HTMLInputElement).value));
    }
    const diff = f.today ? { field: f.path, ...f.today } : undefined;
    // A label other fields share ("Size") is read out with its section ("Size of the root device").
    const full = fieldName(f.path);
    const labelEl = h(
      "label",
      { for: id },
      f.label,
      full !== f.label && full.startsWith(f.label) ? h("span", { class: "sr-only" }, full.slice(f.label.length)) : null,
    );
    const row = h(
      "div",
      {
        class: "field" + (f.kind === "bool" ? " bool" : ""),
        id: "field-" + idOf(f.path),
        "data-field": f.path,
        "data-uses": f.uses.join(" "),
      },
      f.kind === "bool"
        ? h("div", { class: "control" }, control, labelEl)
        : [labelEl, h("div", { class: "control" }, control, f.unit ? h("span", { class: "unit" }, f.unit) : null)],
      h("span", { class: "default" }, "default: ", defaultText(f)),
      h(
        "p",
        { class: "howto", id: `howto-${idOf(f.path)}` },
        f.howto,
        f.where ? [" ", h("code", { class: "where" }, f.where)] : null,
      ),
      diff ? this.diffNote(diff) : null,
      h("p", { class: "error", id: `err-${idOf(f.path)}`, "aria-live": "polite" }),
    );
    return row;
  }

  private rootArchiveRow(): HTMLElement {
    return h(
      "div",
      { class: "field", id: "field-root-archive", "data-field": "root.archive" },
      h("label", { for: "root-archive" }, "Root tarball"),
      h("div", { class: "control" }, this.rootFileInput),
      h(
        "p",
        { class: "howto" },
        "A tar or tar.gz of a Linux system with /bin/sh and /sbin/init; looproot adds the HOWTO's fstab, /initrd, /DOS and rc lines.",
      ),
      h("p", { class: "status", id: "root-archive-status", "aria-live": "polite" }),
      h("p", { class: "error", id: "err-root-archive", "aria-live": "polite" }),
    );
  }

  private dosRow(): HTMLElement {
    return h(
      "div",
      { class: "field", id: "field-dos-system", "data-field": "dos.system" },
      h("label", { for: "dos-choice" }, "DOS for “format a: /s”"),
      h("div", { class: "control" }, this.dosChoice),
      h(
        "div",
        { class: "control" },
        h("label", { for: "dos-floppy", class: "sr-only" }, "DOS boot floppy image"),
        this.dosFileInput,
      ),
      h(
        "p",
        { class: "howto" },
        "“…just a normal DOS format bootable floppy.” Bring your own: its boot sector and system files (IO.SYS, MSDOS.SYS, KERNEL.SYS, COMMAND.COM, …) replace LRDOS.",
      ),
      h("p", { class: "status", id: "dos-floppy-status", "aria-live": "polite" }),
      h("p", { class: "error", id: "err-dos-system", "aria-live": "polite" }),
    );
  }

  private typed(f: FieldDef, raw: string): void {
    if (f.kind === "int") {
      const t = raw.trim().replace(/[,_\s]/g, "");
      if (!/^-?\d+$/.test(t)) {
        this.parseProblems.set(f.path, t === "" ? "needs a value" : `"${raw.trim()}" is not a whole number`);
        this.changed();
        return;
      }
      this.parseProblems.delete(f.path);
      this.set(f, Number(t), false);
    } else {
      // Spaces around a value are never meant ("/dev/loop0 " would be refused as another device).
      this.set(f, raw.trim(), false);
    }
  }

  private set(f: FieldDef, v: Value, resync = true): void {
    this.config = setPath(this.config, f.path, v);
    this.parseProblems.delete(f.path);
    if (resync) this.sync();
    this.changed();
  }

  private changed(): void {
    for (const s of SECTIONS) {
      const p = this.el.querySelector(`[data-intro="${s.id}"]`);
      if (p) p.textContent = introFor(s, this.config);
    }
    this.handlers.onChange(this.config, this.getParseProblems());
  }

  /** The fields whose text is not a value yet ("abc" in a number field): the config keeps their last good value. */
  getParseProblems(): Problem[] {
    return [...this.parseProblems].map(([field, message]) => ({ field, message }));
  }

  /** Replaces the whole config (loaded JSON, URL, defaults). */
  setConfig(config: LooprootConfig): void {
    this.config = config;
    this.parseProblems.clear();
    this.sync();
    this.changed();
  }

  getConfig(): LooprootConfig {
    return this.config;
  }

  /** Puts the config's values into the controls. */
  private sync(): void {
    for (const s of SECTIONS) {
      for (const f of s.fields) {
        const el = this.el.querySelector<HTMLInputElement | HTMLSelectElement>("#in-" + idOf(f.path))!;
        const v = getPath(this.config, f.path);
        if (f.kind === "bool") (el as HTMLInputElement).checked = Boolean(v);
        else el.value = String(v);
      }
    }
    this.rootFileInput.disabled = this.config.root.source !== "tar";
  }

  setPreview(text: string): void {
    this.preview.textContent = text;
  }

  setStatus(which: "root-archive" | "dos-floppy", text: string): void {
    this.el.querySelector(`#${which}-status`)!.textContent = text;
  }

  /**
   * Shows each problem under its field and under every other field it involves, in the form's words;
   * returns the ones that belong to no field here.
   */
  showProblems(problems: Problem[]): Problem[] {
    const byField = new Map<string, string[]>();
    const rest: Problem[] = [];
    const rowOf = (field: string) => this.el.querySelector(`[data-field="${CSS.escape(field)}"] .error`);
    for (const p of problems) {
      if (!rowOf(p.field)) {
        rest.push(p);
        continue;
      }
      const text = inWords(p.message);
      byField.set(p.field, [...(byField.get(p.field) ?? []), text]);
      for (const other of p.fields ?? []) {
        if (other !== p.field && rowOf(other))
          byField.set(other, [...(byField.get(other) ?? []), `With “${fieldName(p.field)}”: ${text}`]);
      }
    }
    for (const row of Array.from(this.el.querySelectorAll<HTMLElement>("[data-field]"))) {
      const msgs = byField.get(row.dataset.field!) ?? [];
      row.querySelector(".error")!.textContent = msgs.join(" ");
      row.classList.toggle("invalid", msgs.length > 0);
      const input = row.querySelector("input:not([type=file]), select");
      if (input) {
        if (msgs.length) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    }
    return rest;
  }

  /** The control a field's problems point at (for the links that focus it). */
  controlOf(field: string): HTMLElement | null {
    const row = this.el.querySelector<HTMLElement>(`[data-field="${CSS.escape(field)}"]`);
    return (
      row?.querySelector<HTMLElement>("input:not([disabled]), select:not([disabled])") ??
      row?.querySelector<HTMLElement>("input, select") ??
      null
    );
  }

  /** Marks the options of a select that can never work, with the reason in their text. */
  setUnavailable(path: string, unavailable: Map<string, string>): void {
    const sel = this.el.querySelector<HTMLSelectElement>("#in-" + idOf(path));
    const f = SECTIONS.flatMap((s) => s.fields).find((x) => x.path === path);
    if (!sel || !f?.options) return;
    for (const o of Array.from(sel.options)) {
      const why = unavailable.get(o.value);
      const opt = f.options.find((x) => String(x.value) === o.value)!;
      o.disabled = !!why && o.value !== sel.value;
      o.textContent = why ? `${opt.label} (${why})` : opt.label;
    }
  }
}
