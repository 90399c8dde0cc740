/// <reference lib="dom" />
/**
 * The page's side of the detection worker: starts it on a backend and asks it one job at a
 * time; every answer, a failure or a timeout comes back as a {@linkcode Reply}, never a throw.
 *
 * @module
 */
import type { Reply, Request, WebBackend } from "./protocol.ts";

/** A request without its id (the client numbers them). */
export type Job =
  | Omit<Extract<Request, { type: "url" }>, "id">
  | Omit<Extract<Request, { type: "bytes" }>, "id">
  | Omit<Extract<Request, { type: "frame" }>, "id">;

/** A started worker. */
export interface DetectorClient {
  /** The worker's "ready" reply, or an error (it failed or did not start in time). */
  readonly started: Promise<Reply>;
  /** Sends a job; resolves to its answer, or an error after `timeoutMs`. */
  ask(job: Job, transfer?: Transferable[]): Promise<Reply>;
}

/** Starting the detector (tfjs backend, weights) waits at most this long. */
const START_TIMEOUT_MS = 120_000;

/** Starts `worker.js` (beside this bundle) on `backend`; answers wait at most `timeoutMs`. */
export const startDetectorClient = (backend: WebBackend, timeoutMs: number): DetectorClient => {
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  let nextId = 1;
  const waiting = new Map<number, (r: Reply) => void>();
  let ready: ((r: Reply) => void) | undefined;

  worker.onmessage = (e: MessageEvent<Reply>) => {
    const r = e.data;
    if (r.type === "ready" || (r.type === "error" && r.id === -1)) {
      ready?.(r);
      return;
    }
    waiting.get(r.id)?.(r);
    waiting.delete(r.id);
  };
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    const message = `the detection worker failed: ${e.message || "it could not start"}`;
    ready?.({ type: "error", id: -1, message });
    for (const [id, f] of waiting) f({ type: "error", id, message });
    waiting.clear();
  };

  const ask = (job: Job, transfer: Transferable[] = []): Promise<Reply> => {
    const id = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve({ type: "error", id, message: `no answer from the detector in ${timeoutMs} ms` });
      }, timeoutMs);
      waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      worker.postMessage({ ...job, id } as Request, transfer);
    });
  };

  const started: Promise<Reply> = new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve({
        type: "error",
        id: -1,
        message: `the ${backend} backend did not start in ${START_TIMEOUT_MS / 1000} s`,
      });
    }, START_TIMEOUT_MS);
    ready = (r) => {
      clearTimeout(timer);
      resolve(r);
    };
    worker.postMessage({ type: "init", backend } satisfies Request);
  });
  return { started, ask };
};
