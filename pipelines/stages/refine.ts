/**
 * The refine stage (RNet): scores the 24x24 crops, keeps those above the second threshold,
 * suppresses overlaps (IoU 0.7) and applies the regression (networks.md, step 6).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/Either.js";
import { applyOffsets, NO_CANDIDATES, selectCandidates } from "../../lib/candidates.ts";
import { fromUnknown, type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { NetTensors } from "../../lib/nets/tensors.ts";
import { rnet } from "../../lib/nets/rnet.ts";
import { nms } from "../../lib/nms.ts";
import type { Result, TaskResult } from "../../lib/result.ts";
import { addTiming, type CascadeState, type Stage } from "../state.ts";

/** Runs a net on the state's crops of `size`, reading every head back once. */
export const runOnCrops = async <K extends string>(
  state: CascadeState,
  size: number,
  forward: (x: tf.Tensor4D) => Record<K, tf.Tensor>,
): Promise<Result<MtcnnError, Record<K, Float32Array>>> => {
  const crops = state.crops;
  if (!crops || crops.size !== size || crops.count !== state.candidates.count) {
    return E.left(mtcnnError(
      "InputError",
      `this stage needs ${size}x${size} crops of the current candidates: put crop(${size}) before it`,
    ));
  }
  const out = tf.tidy(() => forward(tf.tensor4d(crops.data, [crops.count, size, size, 3])));
  try {
    const keys = Object.keys(out) as K[];
    const values = await Promise.all(keys.map((k) => out[k].data() as Promise<Float32Array>));
    return E.right(
      Object.fromEntries(keys.map((k, i) => [k, values[i]])) as Record<K, Float32Array>,
    );
  } finally {
    for (const t of Object.values(out) as tf.Tensor[]) t.dispose();
  }
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

/**
 * The RNet stage on 24x24 crops (put `crop(24)` before it).
 *
 * @example
 * ```ts
 * import { loadDefaultWeights, refineCrops, toTensors } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") console.log(typeof refineCrops(toTensors(w.right.rnet)));
 * ```
 */
export const refineCrops = (weights: NetTensors<"rnet">): Stage => {
  const net = rnet(weights);
  return (state: CascadeState): TaskResult<MtcnnError, CascadeState> => async () => {
    const t0 = performance.now();
    const c = state.candidates;
    if (c.count === 0) return E.right({ ...state, candidates: NO_CANDIDATES, crops: undefined });
    try {
      const r = await runOnCrops(state, 24, (x) => ({ ...net(x) }));
      if (r._tag === "Left") return r;
      const out = r.right;
      const keep = aboveThreshold(out.prob, c.count, state.options.thresholds[1]);
      const passed = selectCandidates(
        { ...c, scores: faceScores(out.prob, c.count), offsets: Float64Array.from(out.bbox) },
        keep,
      );
      const kept = selectCandidates(
        passed,
        nms(passed.boxes, passed.scores, passed.count, state.options.nmsRefine),
      );
      const boxes = applyOffsets(kept.boxes, kept.offsets!, kept.count, 1);
      return E.right({
        ...state,
        candidates: { count: kept.count, boxes, scores: kept.scores },
        crops: undefined,
        timings: addTiming(state.timings, "rnet", performance.now() - t0),
      });
    } catch (e) {
      return E.left(fromUnknown("BackendError", "RNet failed")(e));
    }
  };
};
