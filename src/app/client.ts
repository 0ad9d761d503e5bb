// The page's one client of its workers (worker.ts): each request carries an id from one sequence
// and is answered by the reply with that id and the awaited type; a build's progress comes as
// messages of its id before its reply. Uploads and images are read in workers of their own (a
// hostile file keeps only that one busy, and a newer choice ends it); Latest drops the answer to a
// choice the user has since replaced.

import { LooprootError, ErrorCode, type ErrorJSON } from "../errors.ts";
import {
  fromWire,
  type BuildOutput,
  type BuildRequest,
  type InspectRequest,
  type InspectReply,
  type WorkerMessage,
} from "./protocol.ts";

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;
/** A build's progress: the ingredients fetched, then each step of src/build.ts. */
export type BuildProgress = Extract<WorkerMessage, { type: "fetched" | "step" }>;
/** The kinds of reads that each get a worker of their own. */
export type ReaderKind = "dos" | "root" | "images" | "chain" | "see";

/** A failed build, with the stage it stopped in ("worker" when the worker did not even start). */
export type BuildError = LooprootError & { stage?: string };

export class WorkerClient {
  private seq = 0;
  private builder?: Worker;
  private readers: Partial<Record<ReaderKind, Worker>> = {};

  constructor(private spawn: () => Worker) {}

  /** The build worker, started on first use (and again after it failed to start). */
  private worker(): Worker {
    return (this.builder ??= this.spawn());
  }

  /** Builds in the worker; `progress` sees each step as it is done. Rejects with a BuildError. */
  build(req: WithoutId<BuildRequest>, progress: (m: BuildProgress) => void): Promise<BuildOutput> {
    const id = ++this.seq;
    const w = this.worker();
    return new Promise((resolve, reject) => {
      const onMessage = (ev: MessageEvent<WorkerMessage>) => {
        const m = ev.data;
        if (m.id !== id) return;
        if (m.type === "fetched" || m.type === "step") return progress(m);
        if (m.type !== "done" && m.type !== "error") return;
        w.removeEventListener("message", onMessage);
        if (m.type === "done") resolve(fromWire(m.output));
        else reject(Object.assign(LooprootError.fromJSON(m.error), { stage: m.stage }));
      };
      w.addEventListener("message", onMessage);
      // A worker that cannot even start (script failed to load) reports here, not by message.
      w.addEventListener(
        "error",
        (ev: ErrorEvent) => {
          w.removeEventListener("message", onMessage);
          this.builder = undefined;
          reject(
            Object.assign(new LooprootError(ErrorCode.Bug, ev.message || "the build worker failed to start"), {
              stage: "worker",
            }),
          );
        },
        { once: true },
      );
      w.postMessage({ ...req, id }, []);
    });
  }

  /** One request to the build worker (`on` omitted) or to a given one; its reply of type `want`. */
  ask<T extends InspectReply["type"]>(
    req: WithoutId<InspectRequest>,
    want: T,
    on?: Worker,
    transfer: Transferable[] = [],
  ): Promise<Extract<InspectReply, { type: T }>> {
    const id = ++this.seq;
    const w = on ?? this.worker();
    return new Promise((resolve, reject) => {
      const onMessage = (ev: MessageEvent<WorkerMessage | InspectReply>) => {
        const m = ev.data;
        if (m.id !== id || (m.type !== want && m.type !== "read-failed")) return;
        w.removeEventListener("message", onMessage);
        if (m.type === "read-failed") reject(LooprootError.fromJSON(m.error as ErrorJSON));
        else resolve(m as Extract<InspectReply, { type: T }>);
      };
      w.addEventListener("message", onMessage);
      w.addEventListener("error", (ev) => reject(new Error(ev.message || "the reader could not start")), {
        once: true,
      });
      w.postMessage({ ...req, id }, transfer);
    });
  }

  /** A read in a fresh worker of its kind (ending the one before), which ends with the reply. */
  read<T extends InspectReply["type"]>(
    kind: ReaderKind,
    req: WithoutId<InspectRequest>,
    want: T,
    transfer: Transferable[] = [],
  ): Promise<Extract<InspectReply, { type: T }>> {
    this.end(kind);
    const w = (this.readers[kind] = this.spawn());
    const done = () => {
      if (this.readers[kind] === w) this.end(kind);
    };
    return this.ask(req, want, w, transfer).then(
      (r) => (done(), r),
      (e) => Promise.reject((done(), e)),
    );
  }

  /** Ends the read of this kind, if one runs (its answer never comes). */
  end(kind: ReaderKind): void {
    this.readers[kind]?.terminate();
    delete this.readers[kind];
  }
}

/** The latest of a kind of request: an answer to an older one is for a choice since replaced. */
export class Latest {
  private n = 0;
  /** A new request; the function says whether it is still the latest. */
  next(): () => boolean {
    const id = ++this.n;
    return () => id === this.n;
  }
}
