// Links from a problem or a hint to the choice it names: a click focuses that field and scrolls
// the choices pane to it. Beside the Build button they say why it is off.

import type { Problem } from "../validate.ts";
import type { ChoicesForm } from "./form.ts";
import { h, $ } from "./dom.ts";
import { fieldName } from "./fields.ts";

/** Focuses a field's control from a link, scrolling the choices pane to it. */
export function focusField(form: ChoicesForm, field: string): void {
  const el = form.controlOf(field) ?? document.querySelector<HTMLElement>(`[data-field="${CSS.escape(field)}"]`);
  if (!el) return;
  el.scrollIntoView({ block: "center" });
  el.focus({ preventScroll: true });
}

/** A link named by the field's label that focuses it. */
export function fieldLink(field: string, focus: (field: string) => void): HTMLElement {
  return h(
    "a",
    {
      href: `#field-${field.replace(/[^A-Za-z0-9]/g, "-")}`,
      "data-focus": field,
      onclick: (e) => {
        e.preventDefault();
        focus(field);
      },
    },
    fieldName(field),
  );
}

/** Next to the Build button: why it is off, each problem's field a link that focuses it. */
export function showWhyDisabled(problems: Problem[], building: boolean, focus: (field: string) => void): void {
  const why = $("#build-why");
  if (!problems.length || building) {
    why.replaceChildren();
    return;
  }
  const fields = [...new Set(problems.map((p) => p.field))];
  const n = problems.length;
  why.replaceChildren(
    `“Build and boot” is off until ${n === 1 ? "this problem is" : `these ${n} problems are`} fixed: `,
    ...fields.flatMap((f, i) => [i ? ", " : "", fieldLink(f, focus)]),
    ".",
  );
}
