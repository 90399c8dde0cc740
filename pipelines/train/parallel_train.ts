/**
 * Data-parallel training steps over Workers (tfjs-wasm's own threads do not start under Deno):
 * each worker holds the net, takes a contiguous part of the batch and computes its share of the
 * loss's gradient (lib/train/loss_part.ts); this thread sums the parts in worker order and
 * applies Adam, so the weights are those of one thread up to float rounding, and the same for
 * every run with the same worker count (seeded runs and `--resume` stay exact).
 *
 * Shared memory carries the rest: the weights (written here before each step), the batch's
 * labels, every sample's cross-entropy (each worker writes its part, then waits on an Atomics
 * barrier for the others and makes OHEM's choice over the whole batch itself, the same one in
 * every worker and as one thread would), and each worker's gradients.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { NetTensors } from "../../lib/nets/tensors.ts";
import { NET_SPECS, type NetName } from "../../lib/spec.ts";
import type { Adam } from "../../lib/train/adam.ts";
import type { LossOptions } from "../../lib/train/losses.ts";
import type { HostBatch } from "../edge/train/shard_reader.ts";

/** Messages to a training worker. */
export type ToTrainWorker =
  | {
    readonly kind: "init";
    readonly net: NetName;
    /** Int32 [barrier generation, workers arrived]; Float32 ce; Int8 labels; weights; grads. */
    readonly ctrl: SharedArrayBuffer;
    readonly ce: SharedArrayBuffer;
    readonly labels: SharedArrayBuffer;
    readonly weights: SharedArrayBuffer;
    readonly grads: SharedArrayBuffer;
    readonly index: number;
  }
  | {
    readonly kind: "step";
    readonly id: number;
    readonly start: number;
    /** Workers taking part in this step (the barrier's count) and the whole batch's size. */
    readonly parts: number;
    readonly total: number;
    readonly batch: HostBatch;
    readonly trainable: readonly string[];
    readonly loss: LossOptions;
    readonly generation: number;
  };

/** Messages from a training worker. */
export type FromTrainWorker =
  | { readonly kind: "ready" }
  | { readonly kind: "done"; readonly id: number; readonly loss: number }
  | { readonly kind: "error"; readonly message: string };

/** A data-parallel trainer for one net. */
export interface ParallelTrainer {
  /** Number of workers. */
  readonly size: number;
  /**
   * One Adam step on `batch` split over the workers, like `trainStep` (no distillation);
   * returns the batch's loss.
   */
  step<N extends NetName>(
    vars: NetTensors<N>,
    trainable: readonly string[],
    adam: Adam,
    loss: LossOptions,
    batch: HostBatch,
    lr: number,
  ): Promise<number>;
  /** Ends the workers. */
  terminate(): void;
}

const sliceBatch = (b: HostBatch, start: number, count: number, side: number): HostBatch => {
  const px = side * side * 3;
  return {
    size: count,
    images: b.images.slice(start * px, (start + count) * px),
    labels: b.labels.slice(start, start + count),
    box: b.box.slice(start * 4, (start + count) * 4),
    landmarks: b.landmarks.slice(start * 10, (start + count) * 10),
  };
};

/**
 * Starts `size` workers (wasm backend, our training kernels) for `net`, for batches of up to
 * `maxBatch` samples. Call `terminate` when done.
 */
export const startParallelTrainer = async (
  net: NetName,
  size: number,
  maxBatch: number,
): Promise<ParallelTrainer> => {
  const specs = NET_SPECS[net];
  const offsets: number[] = [];
  let total = 0;
  for (const p of specs) {
    offsets.push(total);
    total += p.shape.reduce((a, b) => a * b, 1);
  }
  const ctrl = new SharedArrayBuffer(8);
  const ce = new SharedArrayBuffer(maxBatch * 4);
  const labels = new SharedArrayBuffer(maxBatch);
  const weights = new SharedArrayBuffer(total * 4);
  const grads = new SharedArrayBuffer(size * total * 4);
  const weightView = new Float32Array(weights);
  const gradView = new Float32Array(grads);
  const ctrlView = new Int32Array(ctrl);
  const workers: Worker[] = [];
  const handlers = new Map<number, (m: FromTrainWorker) => void>();
  let failure: Error | undefined;
  const terminate = () => workers.forEach((w) => w.terminate());
  try {
    await Promise.all(
      Array.from({ length: size }, (_, index) =>
        new Promise<void>((ready, fail) => {
          const w = new Worker(new URL("./train_worker.ts", import.meta.url), { type: "module" });
          workers.push(w);
          w.onmessage = (e: MessageEvent<FromTrainWorker>) => {
            const m = e.data;
            if (m.kind === "ready") return ready();
            if (m.kind === "error") {
              failure = new Error(`a training worker failed: ${m.message}`);
              fail(failure);
            }
            handlers.get(index)?.(m);
          };
          w.onerror = (e) => {
            e.preventDefault();
            failure = new Error(`a training worker failed: ${e.message}`);
            fail(failure);
            handlers.get(index)?.({ kind: "error", message: e.message });
          };
          w.postMessage(
            { kind: "init", net, ctrl, ce, labels, weights, grads, index } satisfies ToTrainWorker,
          );
        })),
    );
  } catch (e) {
    terminate();
    throw e;
  }
  let nextId = 1;
  return {
    size,
    async step(vars, trainable, adam, loss, batch, lr) {
      if (failure) throw failure;
      if (batch.size > maxBatch) {
        throw new Error(`batch of ${batch.size} over the trainer's ${maxBatch}`);
      }
      const all = vars as unknown as Record<string, tf.Variable>;
      specs.forEach((p, i) => weightView.set(all[p.name].dataSync() as Float32Array, offsets[i]));
      const side = Math.round(Math.sqrt(batch.images.length / batch.size / 3));
      const parts = Math.min(size, batch.size);
      const per = Math.ceil(batch.size / parts);
      const id = nextId++;
      const generation = Atomics.load(ctrlView, 0);
      new Int8Array(labels).set(batch.labels);
      const losses: number[] = [];
      await new Promise<void>((done, fail) => {
        let doneLeft = parts;
        for (let k = 0; k < parts; k++) {
          handlers.set(k, (m) => {
            if (m.kind === "error") {
              return fail(new Error(`a training worker failed: ${m.message}`));
            }
            if (m.kind === "done" && m.id === id) {
              losses[k] = m.loss;
              if (--doneLeft === 0) done();
            }
          });
        }
        for (let k = 0; k < parts; k++) {
          const start = k * per, count = Math.min(per, batch.size - start);
          const part = sliceBatch(batch, start, count, side);
          workers[k].postMessage(
            {
              kind: "step",
              id,
              start,
              parts,
              total: batch.size,
              batch: part,
              trainable,
              loss,
              generation,
            } satisfies ToTrainWorker,
            [part.images, part.labels, part.box, part.landmarks].map((a) =>
              a.buffer as ArrayBuffer
            ),
          );
        }
      });
      handlers.clear();
      // The parts' gradients summed in worker order, then Adam here.
      const byName: Record<string, tf.Tensor> = {};
      const wanted = new Set(trainable);
      tf.tidy(() => {
        specs.forEach((p, i) => {
          if (!wanted.has(p.name)) return;
          const len = p.shape.reduce((a, b) => a * b, 1);
          const sum = gradView.slice(offsets[i], offsets[i] + len);
          for (let k = 1; k < parts; k++) {
            const o = k * total + offsets[i];
            for (let j = 0; j < len; j++) sum[j] += gradView[o + j];
          }
          byName[p.name] = tf.tensor(sum, [...p.shape]);
        });
        adam.apply(byName, lr);
      });
      return losses.reduce((a, b) => a + b, 0);
    },
    terminate,
  };
};
