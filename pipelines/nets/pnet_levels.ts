/**
 * PNet on one pyramid level: the level's pixels area-averaged from the image's summed-area
 * table (as the reference resizes with PyTorch's area mode), every 12x12 window scored, the
 * cells at or above the threshold mapped to image boxes (docs/networks.md, steps 2-3).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { areaResample, type SummedAreaTable } from "../../lib/area_resample.ts";
import { type Candidates, selectCandidates } from "../../lib/candidates.ts";
import type { PNetOutput } from "../../lib/nets/pnet.ts";
import { nms } from "../../lib/nms.ts";
import type { PyramidLevel } from "../../lib/pyramid.ts";
import type { LevelImage } from "../state.ts";
import { resampledTensor } from "./heap_tensor.ts";

/** 2 and 12: PNet's stride and window, in level pixels. */
const STRIDE = 2;
const CELL = 12;

/** The normalized pixels of one level, area-averaged from the whole image. */
export const levelPixels = (sat: SummedAreaTable, level: PyramidLevel): Float32Array => {
  const data = new Float32Array(level.width * level.height * 3);
  areaResample(sat, 0, 0, sat.width, sat.height, level.width, level.height, data);
  return data;
};

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
  const shape: [number, number, number, number] = [1, level.height, level.width, 3];
  // A level without pixels is resampled straight into the input tensor (on wasm: its heap).
  const { bbox, prob } = tf.tidy(() => ({
    ...net(
      level.data
        ? tf.tensor4d(level.data, shape)
        : resampledTensor(sat, [0, 0, sat.width, sat.height], 1, level.width, level.height),
    ),
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
