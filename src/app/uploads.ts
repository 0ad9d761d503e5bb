// The user's own files for a build: a root tarball and a bootable DOS floppy. They stay Files (the
// worker reads them, never this thread); each is read once when chosen, in a worker of its own,
// and what the read found is a problem of its field until it is fixed or the file is replaced.

import type { LooprootConfig } from "../config.ts";
import type { Problem, GuestFacts } from "../validate.ts";
import { safeText } from "../util/safe.ts";
import { fmtBytes } from "./dom.ts";
import { Latest, type WorkerClient } from "./client.ts";

export interface UploadHooks {
  client: WorkerClient;
  /** The choices now (the root tarball is read for its root settings). */
  config(): LooprootConfig;
  /** The line under a file field that says what was read. */
  setStatus(id: "root-archive" | "dos-floppy", text: string): void;
  /** A read ended: the problems may have changed. */
  changed(): void;
}

export class Uploads {
  rootArchive?: { name: string; file: File };
  /** What the worker's read of the root tarball said, and for which root settings. */
  private rootRead?: { forRoot: string; problem: string; entries?: number };
  dosFloppy?: { name: string; file: File; fileBytes: number[] };
  private dosProblem = "";
  private rootReads = new Latest();
  private dosReads = new Latest();

  constructor(private hooks: UploadHooks) {}

  /** The uploads' problems with this config (a tarball the root needs, what a read found). */
  problems(config: LooprootConfig): Problem[] {
    const out: Problem[] = [];
    if (config.root.source === "tar") {
      if (!this.rootArchive)
        out.push({
          field: "root.archive",
          message: "choose a tar or tar.gz file for the root, or pick the built-in busybox system",
          fields: ["root.source"],
        });
      else if (this.rootRead?.problem) out.push({ field: "root.archive", message: this.rootRead.problem });
    }
    if (this.dosProblem) out.push({ field: "dos.system", message: this.dosProblem });
    return out;
  }

  /** The guest facts for this config: the DOS files are the uploaded DOS's when there is one. */
  facts(facts: GuestFacts | undefined): GuestFacts | undefined {
    if (!facts) return undefined;
    return this.dosFloppy ? { ...facts, dosFileBytes: this.dosFloppy.fileBytes } : facts;
  }

  /** The root settings changed since the tarball was read: it is read again for them. */
  recheck(config: LooprootConfig): void {
    if (
      config.root.source === "tar" &&
      this.rootArchive &&
      this.rootRead &&
      this.rootRead.forRoot !== JSON.stringify(config.root)
    )
      this.readRoot();
  }

  onRootArchive(file: File | undefined): void {
    this.rootArchive = file ? { name: file.name, file } : undefined;
    this.rootRead = undefined;
    this.rootReads.next();
    this.hooks.client.end("root");
    this.hooks.setStatus("root-archive", "");
    if (file) this.readRoot();
    this.hooks.changed();
  }

  private readRoot(): void {
    const upload = this.rootArchive;
    if (!upload) return;
    const config = this.hooks.config();
    const forRoot = JSON.stringify(config.root);
    const latest = this.rootReads.next();
    this.rootRead = { forRoot, problem: "" };
    this.hooks.setStatus("root-archive", `${upload.name}: ${fmtBytes(upload.file.size)}, reading…`);
    this.hooks.client.read("root", { type: "read-root", file: upload.file, config }, "root-read").then(
      (r) => {
        if (!latest()) return;
        this.rootRead = { forRoot, problem: "", entries: r.entries };
        this.hooks.setStatus(
          "root-archive",
          `${upload.name}: ${fmtBytes(r.bytes)}, ${r.entries.toLocaleString("en-US")} entries`,
        );
        this.hooks.changed();
      },
      (e: Error) => {
        if (!latest()) return;
        this.rootRead = { forRoot, problem: safeText(`${upload.name}: ${e.message}`, 1000) };
        this.hooks.setStatus("root-archive", "");
        this.hooks.changed();
      },
    );
  }

  async onDosFloppy(file: File | undefined): Promise<void> {
    const latest = this.dosReads.next();
    this.dosProblem = "";
    this.dosFloppy = undefined;
    this.hooks.setStatus("dos-floppy", file ? `${file.name}: reading…` : "");
    // Until the worker has read it, Build waits (the problem says so).
    if (file) this.dosProblem = `${file.name}: still being read`;
    this.hooks.changed();
    if (!file) return this.hooks.client.end("dos");
    try {
      const dos = await this.hooks.client.read("dos", { type: "read-dos", file }, "dos-read");
      if (!latest()) return;
      this.dosProblem = "";
      this.dosFloppy = { name: file.name, file, fileBytes: dos.files.map((f) => f.size) };
      this.hooks.setStatus(
        "dos-floppy",
        `${file.name}: ${dos.name}, boot sector and ${dos.files.length} system file${dos.files.length > 1 ? "s" : ""}`,
      );
    } catch (e) {
      if (!latest()) return;
      this.dosProblem = safeText(`${file.name}: ${(e as Error).message}`, 1000);
      this.hooks.setStatus("dos-floppy", "");
    }
    this.hooks.changed();
  }
}
