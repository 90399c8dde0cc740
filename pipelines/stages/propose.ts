/**
 * The propose stage (PNet): scores every 12x12 window on every pyramid level, keeps cells at or
 * above the first threshold, suppresses overlaps per level (IoU 0.5) and across levels (0.7),
 * and applies the regression, following the reference (docs/networks.md, steps 2-4).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  applyOffsets,
  type Candidates,
  concatCandidates,
  NO_CANDIDATES,
  selectCandidates,
} from "../../lib/candidates.ts";
import { fromUnknown, type MtcnnError } from "../../lib/errors.ts";
import { pnet, type PNetOutput } from "../../lib/nets/pnet.ts";
import type { SummedAreaTable } from "../../lib/area_resample.ts";
import { levelPixels } from "./pyramid.ts";
import type { NetTensors } from "../../lib/nets/tensors.ts";
import { nms } from "../../lib/nms.ts";
import type { TaskResult } from "../../lib/result.ts";
import { addTiming, type CascadeState, type LevelImage, type Stage } from "../state.ts";
import * as E from "fp-ts/Either.js";

/** 2 and 12: PNet's stride and window, in level pixels. */
const STRIDE = 2;
const CELL = 12;

/** The cells of one level's PNet output at or above `threshold`, as image-space boxes. */
export const cellsToCandidates = (
  prob: Float32Array,
  bbox: Float32Array,
  rows: number,
  cols: number,
  scale: number,
  threshold: number,
): Candidates => {
  const keep: number[] = [];
  for (let i = 0; i < rows * cols; i++) if (prob[2 * i + 1] >= threshold) keep.push(i);
  const n = keep.length;
  const boxes = new Float64Array(4 * n);
  const scores = new Float64Array(n);
  const offsets = new Float64Array(4 * n);
  for (let k = 0; k < n; k++) {
    const i = keep[k];
    const r = Math.floor(i / cols), c = i - r * cols;
    // The reference maps cell (r, c) to [(2c + 1) / s, (2c + 12) / s], floored.
    boxes[4 * k] = Math.floor((STRIDE * c + 1) / scale);
    boxes[4 * k + 1] = Math.floor((STRIDE * r + 1) / scale);
    boxes[4 * k + 2] = Math.floor((STRIDE * c + CELL) / scale);
    boxes[4 * k + 3] = Math.floor((STRIDE * r + CELL) / scale);
    scores[k] = prob[2 * i + 1];
    for (let j = 0; j < 4; j++) offsets[4 * k + j] = bbox[4 * i + j];
  }
  return { count: n, boxes, scores, offsets };
};

/**
 * PNet on one level: its candidates at or above `threshold` after NMS within the level. The
 * level's pixels are computed from the summed-area table when the level has none.
 */
export const runPNetLevel = async (
  net: (x: tf.Tensor4D) => PNetOutput<tf.Tensor4D>,
  sat: SummedAreaTable,
  level: LevelImage,
  threshold: number,
  nmsThreshold: number,
): Promise<Candidates> => {
  const data = level.data ?? levelPixels(sat, level);
  const { bbox, prob } = tf.tidy(() => ({
    ...net(tf.tensor4d(data, [1, level.height, level.width, 3])),
  }));
  try {
    const [p, b] = await Promise.all([prob.data(), bbox.data()]) as [Float32Array, Float32Array];
    const c = cellsToCandidates(p, b, prob.shape[1], prob.shape[2], level.scale, threshold);
    return selectCandidates(c, nms(c.boxes, c.scores, c.count, nmsThreshold, "union"));
  } finally {
    bbox.dispose();
    prob.dispose();
  }
};

/** Runs PNet on every level of a state; one candidate set per level. */
export type LevelRunner = (state: CascadeState) => Promise<Candidates[]>;

/** PNet in this thread, level after level. */
export const localLevels = (weights: NetTensors<"pnet">): LevelRunner => {
  const net = pnet(weights);
  return async (state) => {
    const out: Candidates[] = [];
    for (const level of state.levels) {
      const o = state.options;
      out.push(await runPNetLevel(net, state.sat, level, o.thresholds[0], o.nmsPerScale));
    }
    return out;
  };
};

/**
 * The propose stage on any {@linkcode LevelRunner} (in this thread, or a worker pool): joins
 * the levels' candidates, suppresses overlaps across levels and applies the regression.
 *
 * @example
 * ```ts
 * import { type LevelRunner, proposeWith } from "@mtcnn/mtcnn";
 * const none: LevelRunner = (state) => Promise.resolve(state.levels.map(() => ({
 *   count: 0,
 *   boxes: new Float64Array(0),
 *   scores: new Float64Array(0),
 * })));
 * console.log(typeof proposeWith(none)); // a PNet stage that proposes nothing
 * ```
 */
export const proposeWith =
  (runLevels: LevelRunner): Stage =>
  (state: CascadeState): TaskResult<MtcnnError, CascadeState> =>
  async () => {
    const t0 = performance.now();
    const o = state.options;
    try {
      const perLevel = await runLevels(state);
      const all = perLevel.length ? concatCandidates(perLevel) : NO_CANDIDATES;
      const kept = selectCandidates(all, nms(all.boxes, all.scores, all.count, o.nmsAcrossScales));
      const offsets = kept.offsets ?? new Float64Array(4 * kept.count);
      const boxes = applyOffsets(kept.boxes, offsets, kept.count, 0);
      return E.right({
        ...state,
        candidates: { count: kept.count, boxes, scores: kept.scores },
        crops: undefined,
        timings: addTiming(state.timings, "pnet", performance.now() - t0),
      });
    } catch (e) {
      return E.left(fromUnknown("BackendError", "PNet failed")(e));
    }
  };

/**
 * The PNet stage. Needs the pyramid stage before it. Replaces the candidates with PNet's
 * proposals (regression applied, not yet square).
 *
 * @example
 * ```ts
 * import { loadDefaultWeights, propose, toTensors } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const stage = propose(toTensors(w.right.pnet));
 *   console.log(typeof stage); // "function"
 * }
 * ```
 */
export const propose = (weights: NetTensors<"pnet">): Stage => proposeWith(localLevels(weights));
