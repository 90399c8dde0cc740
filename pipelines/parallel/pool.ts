/**
 * A pool of net workers. tfjs's own wasm threads do not start under Deno, so using more than
 * one core means our own Workers, each with its own backend and weights. PNet's pyramid levels
 * are shared out by size (largest first, to the least loaded worker); RNet's and ONet's crop
 * batches are split evenly.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import type { Candidates } from "../../lib/candidates.ts";
import { describe, type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { PyramidLevel } from "../../lib/pyramid.ts";
import type { Result } from "../../lib/result.ts";
import type { MtcnnWeights } from "../../lib/weights/record.ts";
import type { BackendName } from "../edge/backend.ts";
import { cropPixels } from "../nets/crop_pixels.ts";
import type { CropHeads, CropNet, Nets, PNetRunner } from "../nets/types.ts";
import type { CropBatch } from "../state.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

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
  /** Ends the workers. */
  terminate(): void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, { ok: (m: FromWorker) => void; fail: (e: Error) => void }>;
}

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
export const startNetPool = async (
  weights: MtcnnWeights,
  size: number,
  backend: BackendName = "auto",
): Promise<Result<MtcnnError, NetPool>> => {
  if (!Number.isInteger(size) || size < 1 || size > 64) {
    return E.left(
      mtcnnError("OptionError", `workers must be an integer from 1 to 64, got ${size}`),
    );
  }
  let nextId = 1;
  const slots: Slot[] = [];
  const terminate = () => {
    for (const s of slots) {
      s.worker.terminate();
      for (const p of s.pending.values()) p.fail(new Error("the worker pool was terminated"));
      s.pending.clear();
    }
  };
  try {
    const ready: Promise<string>[] = [];
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
      const slot: Slot = { worker, pending: new Map() };
      slots.push(slot);
      ready.push(
        new Promise<string>((resolve, reject) => {
          worker.onmessage = (e: MessageEvent<FromWorker>) => {
            const m = e.data;
            if (m.kind === "ready") return resolve(m.backend);
            const id = "id" in m ? m.id : undefined;
            const p = id === undefined ? undefined : slot.pending.get(id);
            if (m.kind === "error" && !p) return reject(new Error(m.message));
            if (!p || id === undefined) return;
            slot.pending.delete(id);
            if (m.kind === "error") p.fail(new Error(m.message));
            else p.ok(m);
          };
          worker.onerror = (e) => {
            e.preventDefault();
            const err = new Error(`a net worker failed: ${e.message}`);
            reject(err);
            for (const p of slot.pending.values()) p.fail(err);
            slot.pending.clear();
          };
        }),
      );
      worker.postMessage({ kind: "init", backend, weights } satisfies ToWorker);
    }
    const backends = await Promise.all(ready);
    const call = (slot: Slot, msg: ToWorker, transfer: Transferable[] = []) =>
      new Promise<FromWorker>((ok, fail) => {
        slot.pending.set((msg as { id: number }).id, { ok, fail });
        slot.worker.postMessage(msg, transfer);
      });
    let rr = 0;
    const crops =
      <N extends "rnet" | "onet">(kind: N) =>
      async (batch: CropBatch): Promise<Record<CropHeads<N>, Float32Array>> => {
        const parts = Math.max(
          1,
          Math.min(slots.length, Math.floor(batch.count / MIN_PER_WORKER[kind])),
        );
        const per = Math.ceil(batch.count / parts);
        const stride = batch.size * batch.size * 3;
        // A shared summed-area table goes by reference: each worker cuts its own crops.
        const cutThere = !batch.data && batch.sat.sums.buffer instanceof SharedArrayBuffer;
        const pixels = cutThere ? undefined : cropPixels(batch);
        const calls = [];
        for (let k = 0; k < parts && k * per < batch.count; k++) {
          const start = k * per, count = Math.min(per, batch.count - start);
          const data = pixels?.slice(start * stride, (start + count) * stride);
          const rects = batch.rects.slice(4 * start, 4 * (start + count));
          const slot = slots[(rr++) % slots.length];
          const sat = cutThere ? batch.sat : { ...batch.sat, sums: new Uint32Array(0) };
          const msg: ToWorker = { kind, id: nextId++, size: batch.size, count, data, rects, sat };
          calls.push(call(slot, msg, data ? [data.buffer, rects.buffer] : [rects.buffer]));
        }
        const results = (await Promise.all(calls)) as Extract<FromWorker, { kind: "heads" }>[];
        return joinHeads(results.map((r) => r.heads)) as Record<CropHeads<N>, Float32Array>;
      };
    const levels: PNetRunner["run"] = async (sat, pyramid, threshold, nms) => {
      const indexed = pyramid.map((l, i) => ({ l, i }));
      const groups = balance(indexed, (x) => x.l.width * x.l.height, slots.length);
      const out: Candidates[] = new Array(pyramid.length);
      await Promise.all(groups.map(async (g, k) => {
        if (g.length === 0) return;
        const plain: PyramidLevel[] = g.map(({ l }) => ({
          scale: l.scale,
          width: l.width,
          height: l.height,
        }));
        const r = (await call(slots[k], {
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
    return E.right({
      size,
      backend: backends[0],
      nets: {
        pnet: { net: "pnet", run: levels },
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
