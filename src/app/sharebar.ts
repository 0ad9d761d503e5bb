// The choices shared and loaded: Copy link (the address bar always carries them), Load JSON (any
// JSON looproot writes), a link opened; what could not be loaded is named, never silently defaulted.

import { readConfigFile, readLink, configToHash } from "./share.ts";
import { fieldName, ALL_FIELDS } from "./fields.ts";
import type { ChoicesForm } from "./form.ts";
import { h, $, fmtSize, copyText } from "./dom.ts";
import { safeText } from "../util/safe.ts";

const ALL_PATHS = new Set(ALL_FIELDS.map((f) => f.path));

export async function copyLink(form: ChoicesForm): Promise<void> {
  const hash = configToHash(form.getConfig());
  history.replaceState(null, "", hash || location.pathname + location.search);
  await copyText(location.href, "#copy-link");
}

export async function loadJson(form: ChoicesForm, file: File | undefined): Promise<void> {
  if (!file) return;
  ($("#load-json") as HTMLInputElement).value = "";
  try {
    if (file.size > 1_000_000) throw new Error(`is ${fmtSize(file.size)}, larger than any looproot JSON`);
    const r = readConfigFile(await file.text());
    form.setConfig(r.config);
    $("#general-problems").textContent = "";
    showDamaged(`${file.name} (${r.kind}): some settings could not be loaded.`, "the file", { ...r, truncated: false });
  } catch (e) {
    $("#link-notice").hidden = true;
    $("#general-problems").textContent = safeText(`${file.name}: ${(e as Error).message}; nothing was loaded.`, 1000);
  }
}

export function loadFromHash(form: ChoicesForm): ReturnType<typeof readLink> {
  const r = readLink(location.hash);
  if (!r) return r;
  form.setConfig(r.config);
  showDamaged("This link's settings were damaged.", "the link", r);
  return r;
}

/**
 * What was wrong with settings from a link or a file, and what was kept: damaged settings never
 * turn into the defaults silently. Each dropped one is named by its field's label.
 */
function showDamaged(
  title: string,
  from: string,
  r: { kept: string[]; dropped: { field: string; why: string }[]; truncated: boolean },
): void {
  const notice = $("#link-notice");
  if (!r.dropped.length && !r.truncated) {
    notice.hidden = true;
    return;
  }
  const name = (f: string) =>
    f === "config" ? "the settings as a whole" : ALL_PATHS.has(f) ? `“${fieldName(f)}” (${f})` : `“${f}”`;
  const kept = r.kept.map((f) => `“${fieldName(f)}”`);
  notice.replaceChildren(
    h("strong", {}, `${title} `),
    r.truncated ? "It was cut short: the settings after its last complete one are lost. " : "",
    ...(r.dropped.length
      ? [
          h("span", {}, `Dropped ${r.dropped.length === 1 ? "one setting" : `${r.dropped.length} settings`}: `),
          h("ul", {}, ...r.dropped.map((d) => h("li", { "data-dropped": d.field }, `${name(d.field)} ${d.why}`))),
        ]
      : []),
    kept.length
      ? `Kept ${kept.length === 1 ? "one setting" : `${kept.length} settings`} from ${from}: ${kept.join(", ")}; `
      : `Nothing from ${from} could be kept; `,
    "everything else is the default.",
    h(
      "button",
      {
        type: "button",
        class: "dismiss",
        "aria-label": "Dismiss the note about the damaged settings",
        onclick: () => {
          notice.hidden = true;
        },
      },
      "Dismiss",
    ),
  );
  notice.hidden = false;
}
