/**
 * The crop stage: squares the candidate boxes around their centres and cuts each out of the
 * image, area-resized to `size` x `size` and normalized, in one batch.
 *
 * Following the reference (docs/networks.md, step 5), box corners are truncated to integers and the
 * crop covers 0-based columns x1 - 1 .. x2 - 1 (rows likewise). With `cropPadding: "clamp"`
 * that range is first clamped to the image; with `"zeros"` the outside is mid grey.
 *
 * @module
 */
import * as TE from "fp-ts/TaskEither.js";
import { areaResample } from "../../lib/area_resample.ts";
import { selectCandidates, squareBoxes } from "../../lib/candidates.ts";
import type { MtcnnError } from "../../lib/errors.ts";
import type { TaskResult } from "../../lib/result.ts";
import type { CropPadding } from "../options.ts";
import { addTiming, type CascadeState, type CropBatch, type Stage } from "../state.ts";

/** The 0-based pixel rectangle [x0, x0 + w) x [y0, y0 + h) that a box's crop covers. */
export const cropRect = (
  box: ArrayLike<number>,
  width: number,
  height: number,
  padding: CropPadding,
): { x0: number; y0: number; w: number; h: number } => {
  let x1 = Math.trunc(box[0]), y1 = Math.trunc(box[1]);
  let x2 = Math.trunc(box[2]), y2 = Math.trunc(box[3]);
  if (padding === "clamp") {
    x1 = Math.max(x1, 1);
    y1 = Math.max(y1, 1);
    x2 = Math.min(x2, width);
    y2 = Math.min(y2, height);
  }
  return { x0: x1 - 1, y0: y1 - 1, w: x2 - x1 + 1, h: y2 - y1 + 1 };
};

/**
 * The pixels of a crop batch: its `data`, or, for a deferred batch, the crops cut now from its
 * summed-area table (area-resampled, normalized).
 *
 * @example
 * ```ts
 * import { cropPixels, summedAreaTable } from "@mtcnn/mtcnn";
 * const img = { width: 4, height: 4, data: new Uint8Array(48).fill(255) };
 * const sat = summedAreaTable(img);
 * const px = cropPixels({ size: 2, count: 1, rects: Int32Array.of(0, 0, 4, 4), sat });
 * console.log(px.length, px[0]); // 12 0.99609375
 * ```
 */
export const cropPixels = (batch: CropBatch): Float32Array => {
  if (batch.data) return batch.data;
  const { size, count, rects, sat } = batch;
  const per = size * size * 3;
  const data = new Float32Array(count * per);
  for (let i = 0; i < count; i++) {
    const r = 4 * i;
    areaResample(
      sat,
      rects[r],
      rects[r + 1],
      rects[r + 2],
      rects[r + 3],
      size,
      size,
      data,
      i * per,
    );
  }
  return data;
};

/**
 * Where the candidates' squared boxes are cut as `size` x `size` crops: the batch (rectangles
 * only, no pixels yet), every candidate's squared box, and the indices of the candidates kept
 * (a crop wholly outside the image is empty and left out).
 */
export const cutBoxes = (
  state: CascadeState,
  size: number,
  padding: CropPadding,
): { batch: CropBatch; boxes: Float64Array; keep: number[] } => {
  const { width, height } = state.image;
  const c = state.candidates;
  const boxes = squareBoxes(c.boxes, c.count);
  const rects = new Int32Array(4 * c.count);
  const keep: number[] = [];
  for (let i = 0; i < c.count; i++) {
    const r = cropRect(boxes.subarray(4 * i, 4 * i + 4), width, height, padding);
    const inside = r.x0 < width && r.y0 < height && r.x0 + r.w > 0 && r.y0 + r.h > 0;
    if (r.w >= 1 && r.h >= 1 && inside) {
      rects.set([r.x0, r.y0, r.w, r.h], 4 * keep.length);
      keep.push(i);
    }
  }
  const n = keep.length;
  return { batch: { size, count: n, rects: rects.slice(0, 4 * n), sat: state.sat }, boxes, keep };
};

/** Options of {@linkcode crop}. */
export interface CropStageOptions {
  /**
   * Leave the cutting to the net's runner (`data` absent): worker pools cut each worker's share
   * there, from the shared summed-area table. Default false: cut here.
   */
  readonly deferred?: boolean;
}

/**
 * A crop stage of side `size`. Candidates whose crop would be empty (wholly outside the image)
 * are dropped. The candidates' boxes become the squared boxes that were cut.
 *
 * @example
 * ```ts
 * import { crop } from "@mtcnn/mtcnn";
 * const crop24 = crop(24);
 * console.log(typeof crop24); // "function": a Stage
 * ```
 */
export const crop = (size: number, options: CropStageOptions = {}): Stage =>
(
  state: CascadeState,
): TaskResult<MtcnnError, CascadeState> => {
  const t0 = performance.now();
  const { batch, boxes, keep } = cutBoxes(state, size, state.options.cropPadding);
  const kept = selectCandidates({ ...state.candidates, boxes }, keep);
  return TE.right({
    ...state,
    candidates: kept,
    crops: options.deferred ? batch : { ...batch, data: cropPixels(batch) },
    timings: addTiming(state.timings, `crop${size}`, performance.now() - t0),
  });
};
