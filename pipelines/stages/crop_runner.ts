/**
 * Running a net on a batch of crops, in this thread or elsewhere (a worker pool): the one
 * readback per stage that RNet and ONet need.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { Result } from "../../lib/result.ts";
import type { CascadeState, CropBatch } from "../state.ts";
import { cropPixels } from "./crop.ts";

/** Runs a net on crops; resolves to every head's values, row-major. */
export type CropRunner<K extends string> = (crops: CropBatch) => Promise<Record<K, Float32Array>>;

/**
 * A {@linkcode CropRunner} in this thread: one forward pass, every head read back once.
 *
 * @example
 * ```ts
 * import { loadDefaultWeights, localCrops, refineWith, rnet, toTensors } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const net = rnet(toTensors(w.right.rnet));
 *   const stage = refineWith(localCrops((x) => ({ ...net(x) }))); // what refineCrops() builds
 *   console.log(typeof stage);
 * }
 * ```
 */
export const localCrops = <K extends string>(
  forward: (x: tf.Tensor4D) => Record<K, tf.Tensor>,
): CropRunner<K> =>
async (crops) => {
  const { size, count } = crops;
  const data = cropPixels(crops);
  const out = tf.tidy(() => forward(tf.tensor4d(data, [count, size, size, 3])));
  try {
    const keys = Object.keys(out) as K[];
    const values = await Promise.all(keys.map((k) => out[k].data() as Promise<Float32Array>));
    return Object.fromEntries(keys.map((k, i) => [k, values[i]])) as Record<K, Float32Array>;
  } finally {
    for (const t of Object.values(out) as tf.Tensor[]) t.dispose();
  }
};

/** The state's crops when they are `size` x `size` crops of the current candidates. */
export const cropsOf = (state: CascadeState, size: number): Result<MtcnnError, CropBatch> => {
  const crops = state.crops;
  return crops && crops.size === size && crops.count === state.candidates.count
    ? E.right(crops)
    : E.left(
      mtcnnError(
        "InputError",
        `this stage needs ${size}x${size} crops of the current candidates: put crop(${size}) before it`,
      ),
    );
};

/** The face probabilities (column 1) of a [count, 2] softmax. */
export const faceScores = (prob: Float32Array, count: number): Float64Array => {
  const s = new Float64Array(count);
  for (let i = 0; i < count; i++) s[i] = prob[2 * i + 1];
  return s;
};

/** Indices whose face probability (column 1 of a [n, 2] softmax) is above `t`. */
export const aboveThreshold = (prob: Float32Array, count: number, t: number): number[] => {
  const keep: number[] = [];
  for (let i = 0; i < count; i++) if (prob[2 * i + 1] > t) keep.push(i);
  return keep;
};
