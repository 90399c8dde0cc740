/**
 * A pool of net workers. tfjs's own wasm threads do not start under Deno, so using more than
 * one core means our own Workers, each with its own backend and weights. PNet's pyramid levels
 * are shared out by size (largest first, to the least loaded worker); RNet's and ONet's crop
 * batches are split evenly. A lane (one worker's nets, for image-parallel detection) queues its
 * calls here; a worker with nothing to do takes the next queued call of any lane.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { isSharedTable } from "../../lib/area_resample.ts";
import type { Candidates } from "../../lib/candidates.ts";
import { describe, type MtcnnError, mtcnnError, MtcnnException } from "../../lib/errors.ts";
import type { PyramidLevel } from "../../lib/pyramid.ts";
import type { Result } from "../../lib/result.ts";
import type { MtcnnWeights } from "../../lib/weights/record.ts";
import type { BackendName } from "../edge/backend.ts";
import { cropPixels } from "../nets/crop_pixels.ts";
import type { CropHeads, CropNet, Nets, PNetRunner } from "../nets/types.ts";
import type { CropBatch } from "../state.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";
import { isWorkerCount, NET_WORKER_URL, spawnModuleWorker } from "./worker_urls.ts";

/** Running nets on worker threads. */
export interface NetPool {
  /** Number of workers. */
  readonly size: number;
  /** The backend the workers run. */
  readonly backend: string;
  /**
   * The nets on the workers: PNet's levels spread over them, RNet's and ONet's crop batches
   * split (cut in each worker from the shared summed-area table).
   */
  readonly nets: Nets;
  /**
   * Per worker, the nets of that worker: an image's PNet levels and crop batches go to it whole
   * (no split to join, no waiting for another worker's part), except that workers with nothing
   * to do take a share. For many images at once, each image on a worker of its own.
   */
  readonly lanes: readonly Nets[];
  /** Ends the workers. */
  terminate(): void;
}

interface Pending {
  readonly ok: (m: FromWorker) => void;
  readonly fail: (e: Error) => void;
  readonly timer?: ReturnType<typeof setTimeout>;
}

interface Slot {
  readonly index: number;
  worker: Worker;
  /** Settles when the current worker is initialised (rejects if it could not start). */
  ready: Promise<string>;
  /** Whether the current worker is initialised (queued calls go only to such workers). */
  up: boolean;
  readonly pending: Map<number, Pending>;
  /** Workers started in this slot after the first. */
  restarts: number;
  /** Why the slot takes no more calls (set once it stopped too often or the pool ended). */
  closed?: string;
}

/** Test and tuning hooks of {@linkcode startNetPoolWith}. */
export interface NetPoolInternals {
  /** Makes slot `index`'s worker (default: `worker.ts` as a module worker). */
  readonly spawn?: (index: number) => Worker;
  /**
   * A call unanswered for this long counts as a dead worker (a terminated or closed worker
   * sends no event): it is failed and the worker replaced. Default 300,000 ms, far above the
   * slowest call measured (PNet on a 100-megapixel image).
   */
  readonly stallMs?: number;
  /** Workers a slot may start after its first before it fails every call (default 3). */
  readonly maxRestarts?: number;
  /**
   * Whether a lane's calls are shared with workers that have nothing to do (default true;
   * false runs every call of a lane on its own worker, for comparison).
   */
  readonly shareIdle?: boolean;
}

const DEFAULT_STALL_MS = 300_000;
const DEFAULT_MAX_RESTARTS = 3;

/**
 * Calls a lane's worker holds at once: the one it runs and the next, so that it does not wait
 * for this thread between two. The rest stay queued here, where a worker with nothing to do
 * can take them.
 */
const HELD_PER_WORKER = 2;

/** A call waiting for a worker: `lane`'s when it has room, or any idle one. */
interface Queued {
  readonly lane: Slot;
  readonly msg: ToWorker & { readonly id: number };
  readonly transfer: Transferable[];
  readonly ok: (m: FromWorker) => void;
  readonly fail: (e: Error) => void;
}

const backendFailure = (message: string): Error =>
  new MtcnnException(mtcnnError("BackendError", message));

/** Splits `items` (with weights) into `n` groups, heaviest first to the lightest group. */
export const balance = <T>(items: readonly T[], weight: (t: T) => number, n: number): T[][] => {
  const groups: T[][] = Array.from({ length: n }, () => []);
  const load = new Array(n).fill(0);
  for (const it of [...items].sort((a, b) => weight(b) - weight(a))) {
    const g = load.indexOf(Math.min(...load));
    groups[g].push(it);
    load[g] += weight(it);
  }
  return groups;
};

/**
 * The fewest crops worth sending to a worker of their own: a message costs about as much as
 * 2 ONet crops or 8 RNet crops (measured, 2 workers).
 */
const MIN_PER_WORKER = { rnet: 8, onet: 2 } as const;

/**
 * A new net worker, not yet initialised: it starts loading its modules at once, and waits for
 * the pool's first message. A detector spawns its workers this way before it loads the weights,
 * so that both happen at the same time.
 */
export const spawnNetWorker = (): Worker => spawnModuleWorker(NET_WORKER_URL);

/**
 * The most crops one call to a worker carries when a whole image runs on it: a worker's wasm
 * heap grows to its largest call and never shrinks, and a batch in pieces of this size keeps it
 * near where the split over two workers kept it (45 MB against 116 MB unsplit, 58 MB split, on
 * `wider_val_416`, measured).
 */
const MAX_PER_CALL = { rnet: 256, onet: 64 } as const;

/**
 * Starts `size` workers with copies of the weights on `backend`.
 *
 * @example
 * ```ts
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * import { startNetPool } from "./pool.ts";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const pool = await startNetPool(w.right, 2, "auto");
 *   if (pool._tag === "Right") pool.right.terminate();
 * }
 * ```
 */
export const startNetPool = (
  weights: MtcnnWeights,
  size: number,
  backend: BackendName = "auto",
): Promise<Result<MtcnnError, NetPool>> => startNetPoolWith(weights, size, backend, {});

/**
 * {@linkcode startNetPool} with hooks. A worker that dies (throws at top level, or stops
 * answering: terminated, closed) fails the calls it had with a `BackendError` and is replaced
 * by a fresh one for later calls; a slot whose workers died `maxRestarts + 1` times fails
 * every later call at once. Nothing waits forever.
 */
export const startNetPoolWith = async (
  weights: MtcnnWeights,
  size: number,
  backend: BackendName,
  internals: NetPoolInternals,
): Promise<Result<MtcnnError, NetPool>> => {
  if (!isWorkerCount(size) || size < 1) {
    return E.left(
      mtcnnError("OptionError", `workers must be an integer from 1 to 64, got ${size}`),
    );
  }
  const spawn = internals.spawn ?? spawnNetWorker;
  const stallMs = internals.stallMs ?? DEFAULT_STALL_MS;
  const maxRestarts = internals.maxRestarts ?? DEFAULT_MAX_RESTARTS;
  let nextId = 1;
  const slots: Slot[] = [];
  const failPending = (slot: Slot, err: Error) => {
    for (const p of slot.pending.values()) {
      clearTimeout(p.timer);
      p.fail(err);
    }
    slot.pending.clear();
  };
  const terminate = () => {
    for (const s of slots) {
      s.closed = "the worker pool was terminated";
      s.worker.terminate();
      failPending(s, backendFailure("the worker pool was terminated"));
    }
  };
  /** Starts (or restarts) the worker of `slot`; its `ready` settles once initialised. */
  const start = (slot: Slot): Promise<string> => {
    let worker: Worker;
    try {
      worker = spawn(slot.index);
    } catch (e) {
      return Promise.reject(e);
    }
    slot.worker = worker;
    slot.up = false;
    const ready = new Promise<string>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        if (slot.worker !== worker) return;
        const m = e.data;
        if (m.kind === "ready") {
          slot.up = true;
          resolve(m.backend);
          return pump();
        }
        if (m.kind === "crashed") {
          const why = `net worker ${slot.index + 1} stopped (${m.message})`;
          reject(new Error(why));
          return died(slot, why);
        }
        const id = "id" in m ? m.id : undefined;
        const p = id === undefined ? undefined : slot.pending.get(id);
        if (m.kind === "error" && !p) return reject(new Error(m.message));
        if (!p || id === undefined) return;
        slot.pending.delete(id);
        clearTimeout(p.timer);
        if (m.kind === "error") p.fail(backendFailure(m.message));
        else p.ok(m);
      };
      worker.onerror = (e) => {
        e.preventDefault();
        if (slot.worker !== worker) return;
        const why = `net worker ${slot.index + 1} stopped (${e.message})`;
        reject(new Error(why));
        died(slot, why);
      };
    });
    // A failed start is reported to the calls that wait for it, never left unhandled.
    ready.catch(() => {});
    worker.postMessage({ kind: "init", backend, weights } satisfies ToWorker);
    return ready;
  };
  /** The worker of `slot` is gone: fail its calls, start another unless it died too often. */
  const died = (slot: Slot, why: string) => {
    slot.worker.terminate();
    failPending(slot, backendFailure(why));
    if (slot.closed) return;
    if (slot.restarts >= maxRestarts) {
      slot.closed = `${why}; its workers stopped ${slot.restarts + 1} times, so it takes no ` +
        "more work (start a new detector)";
      return;
    }
    slot.restarts++;
    slot.ready = start(slot);
  };
  const queue: Queued[] = [];
  /**
   * Sends `q` to `slot`'s worker; settles with its answer, or fails when the worker dies or does
   * not answer in `stallMs`. Either way the queue is handed out again: a worker is free.
   */
  const send = (slot: Slot, q: Queued) => {
    const worker = slot.worker;
    const id = q.msg.id;
    const settled = (f: () => void) => {
      f();
      pump();
    };
    const timer = setTimeout(() => {
      if (slot.worker !== worker || !slot.pending.has(id)) return;
      died(slot, `net worker ${slot.index + 1} did not answer in ${stallMs / 1000} s`);
    }, stallMs);
    slot.pending.set(id, {
      ok: (m) => settled(() => q.ok(m)),
      fail: (e) => settled(() => q.fail(e)),
      timer,
    });
    worker.postMessage(q.msg, q.transfer);
  };
  /**
   * Hands queued calls out, oldest first: each to its lane's worker when that has nothing to do,
   * else to a worker that has nothing to do, else to its lane's worker while that holds fewer
   * than {@linkcode HELD_PER_WORKER}. A call whose lane stopped for good fails.
   */
  const pump = () => {
    for (let i = 0; i < queue.length;) {
      const q = queue[i];
      if (q.lane.closed) {
        queue.splice(i, 1);
        q.fail(backendFailure(q.lane.closed));
        continue;
      }
      const own = q.lane.up ? q.lane.pending.size : HELD_PER_WORKER;
      const idle = own === 0 || internals.shareIdle === false
        ? undefined
        : slots.find((s) => s.up && !s.closed && s.pending.size === 0);
      const to = own === 0 ? q.lane : idle ?? (own < HELD_PER_WORKER ? q.lane : undefined);
      if (!to) {
        i++;
        continue;
      }
      queue.splice(i, 1);
      send(to, q);
    }
  };
  /** A call for `lane`'s worker, queued until it (or an idle worker) can take it. */
  const enqueue = (lane: Slot, msg: ToWorker & { id: number }, transfer: Transferable[] = []) =>
    new Promise<FromWorker>((ok, fail) => {
      queue.push({ lane, msg, transfer, ok, fail });
      pump();
    });
  try {
    for (let i = 0; i < size; i++) {
      const slot = { index: i, pending: new Map(), restarts: 0 } as unknown as Slot;
      slots.push(slot);
      slot.ready = start(slot);
    }
    const backends = await Promise.all(slots.map((s) => s.ready));
    /** Sends `msg` to `slot`'s worker now (not queued), once that worker is up. */
    const call = async (
      slot: Slot,
      msg: ToWorker & { id: number },
      transfer: Transferable[] = [],
    ) => {
      if (slot.closed) throw backendFailure(slot.closed);
      try {
        await slot.ready;
      } catch (e) {
        throw backendFailure(
          slot.closed ?? `net worker ${slot.index + 1} could not restart: ${describe(e)}`,
        );
      }
      if (slot.closed) throw backendFailure(slot.closed);
      return await new Promise<FromWorker>((ok, fail) =>
        send(slot, { lane: slot, msg, transfer, ok, fail })
      );
    };
    /** Sends a message to a worker of the pool and settles with its answer. */
    type Post = (
      k: number,
      msg: ToWorker & { id: number },
      transfer?: Transferable[],
    ) => Promise<FromWorker>;
    let rr = 0;
    /** Sends `batch` in `parts` pieces, piece k with `post(k, ...)`, and joins the heads. */
    const sendCrops = async <N extends "rnet" | "onet">(
      kind: N,
      batch: CropBatch,
      parts: number,
      post: Post,
    ): Promise<Record<CropHeads<N>, Float32Array>> => {
      const per = Math.ceil(batch.count / parts);
      const stride = batch.size * batch.size * 3;
      // A shared summed-area table goes by reference: each worker cuts its own crops.
      const cutThere = !batch.data && isSharedTable(batch.sat);
      const pixels = cutThere ? undefined : cropPixels(batch);
      const calls = [];
      for (let k = 0; k < parts && k * per < batch.count; k++) {
        const start = k * per, count = Math.min(per, batch.count - start);
        const data = pixels?.slice(start * stride, (start + count) * stride);
        const rects = batch.rects.slice(4 * start, 4 * (start + count));
        const sat = cutThere
          ? batch.sat
          : { width: batch.sat.width, height: batch.sat.height, sums: new Uint32Array(0) };
        const msg = { kind, id: nextId++, size: batch.size, count, data, rects, sat } as const;
        calls.push(post(k, msg, data ? [data.buffer, rects.buffer] : [rects.buffer]));
      }
      const results = (await Promise.all(calls)) as Extract<FromWorker, { kind: "heads" }>[];
      return joinHeads(results.map((r) => r.heads)) as Record<CropHeads<N>, Float32Array>;
    };
    /** The most pieces a batch is cut in to share it: one per worker, each worth a message. */
    const sharedParts = (kind: "rnet" | "onet", count: number) =>
      Math.max(1, Math.min(slots.length, Math.floor(count / MIN_PER_WORKER[kind])));
    const crops =
      <N extends "rnet" | "onet">(kind: N) =>
      (batch: CropBatch): Promise<Record<CropHeads<N>, Float32Array>> =>
        sendCrops(
          kind,
          batch,
          sharedParts(kind, batch.count),
          (_, msg, t) => call(slots[(rr++) % slots.length], msg, t),
        );
    /** PNet's levels in `parts` groups by size (largest first to the least loaded), group k with `post(k, ...)`. */
    const levelsIn =
      (parts: number, post: Post): PNetRunner["run"] => async (sat, pyramid, threshold, nms) => {
        const indexed = pyramid.map((l, i) => ({ l, i }));
        const groups = balance(indexed, (x) => x.l.width * x.l.height, parts);
        const out: Candidates[] = new Array(pyramid.length);
        await Promise.all(groups.map(async (g, k) => {
          if (g.length === 0) return;
          const plain: PyramidLevel[] = g.map(({ l }) => ({
            scale: l.scale,
            width: l.width,
            height: l.height,
          }));
          const r = (await post(k, {
            kind: "pnet",
            id: nextId++,
            sat,
            levels: plain,
            threshold,
            nms,
          })) as Extract<FromWorker, { kind: "levels" }>;
          r.candidates.forEach((c, j) => (out[g[j].i] = c));
        }));
        return out;
      };
    /** Whether a worker other than `slot`'s has nothing to do (and may take a share). */
    const othersIdle = (slot: Slot): boolean =>
      internals.shareIdle !== false &&
      slots.some((s) => s !== slot && s.up && !s.closed && s.pending.size === 0);
    /**
     * The nets of one worker: an image's calls are queued for it (large crop batches in pieces),
     * cut in one share per worker when another worker has nothing to do; and a worker with
     * nothing to do takes the next queued call of any lane (the last images of a run, a lane
     * that waits for this thread).
     */
    const lane = (slot: Slot): Nets => {
      const post: Post = (_, msg, t) => enqueue(slot, msg, t);
      const crop =
        <N extends "rnet" | "onet">(kind: N) =>
        (batch: CropBatch): Promise<Record<CropHeads<N>, Float32Array>> => {
          const parts = Math.max(
            othersIdle(slot) ? sharedParts(kind, batch.count) : 1,
            Math.ceil(batch.count / MAX_PER_CALL[kind]),
          );
          return sendCrops(kind, batch, parts, post);
        };
      return {
        pnet: {
          net: "pnet",
          run: (...a) => levelsIn(othersIdle(slot) ? slots.length : 1, post)(...a),
        },
        rnet: { net: "rnet", size: 24, run: crop("rnet") } satisfies CropNet<"rnet">,
        onet: { net: "onet", size: 48, run: crop("onet") } satisfies CropNet<"onet">,
      };
    };
    return E.right({
      size,
      backend: backends[0],
      lanes: slots.map(lane),
      nets: {
        pnet: { net: "pnet", run: levelsIn(slots.length, (k, msg) => call(slots[k], msg)) },
        rnet: { net: "rnet", size: 24, run: crops("rnet") } satisfies CropNet<"rnet">,
        onet: { net: "onet", size: 48, run: crops("onet") } satisfies CropNet<"onet">,
      },
      terminate,
    });
  } catch (e) {
    terminate();
    return E.left(mtcnnError("BackendError", `cannot start the net workers: ${describe(e)}`, e));
  }
};

const joinHeads = (
  parts: readonly Record<string, Float32Array>[],
): Record<string, Float32Array> => {
  if (parts.length === 1) return parts[0];
  const out: Record<string, Float32Array> = {};
  for (const k of Object.keys(parts[0])) {
    const total = parts.reduce((n, p) => n + p[k].length, 0);
    const joined = new Float32Array(total);
    let o = 0;
    for (const p of parts) {
      joined.set(p[k], o);
      o += p[k].length;
    }
    out[k] = joined;
  }
  return out;
};
