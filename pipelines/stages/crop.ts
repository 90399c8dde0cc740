/**
 * The crop stage: squares the candidate boxes around their centres and says where each is cut
 * out of the image, `size` x `size`. The pixels are area-resized from the image's summed-area
 * table where the next net runs (this thread, or each worker of a pool).
 *
 * Following the reference (docs/networks.md, step 5), box corners are truncated to integers and
 * the crop covers 0-based columns x1 - 1 .. x2 - 1 (rows likewise). With `padding: "clamp"`
 * that range is first clamped to the image; with `"zeros"` the outside is mid grey.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { mtcnnError } from "../../lib/errors.ts";
import { selectCandidates, squareBoxes } from "../../lib/candidates.ts";
import type { CropPadding } from "../options.ts";
import {
  addTiming,
  type CandidateState,
  type CropBatch,
  type CropState,
  type ImageData,
  type Stage,
} from "../state.ts";

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
 * Where the candidates' squared boxes are cut as `size` x `size` crops: the batch (rectangles
 * only), every candidate's squared box, and the indices of the candidates kept (a crop wholly
 * outside the image is empty and left out).
 */
export const cutBoxes = <N extends number>(
  state: ImageData & Pick<CandidateState, "candidates">,
  size: N,
  padding: CropPadding,
): { batch: CropBatch<N>; boxes: Float64Array; keep: number[] } => {
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

/** Parameters of {@linkcode crop}. */
export interface CropParams {
  /**
   * The part of a box outside the image: `"clamp"` (the box is clamped to the image first, as
   * facenet-pytorch does) or `"zeros"` (mid grey outside, as the paper's code does). Default
   * `"clamp"`.
   */
  readonly padding?: CropPadding;
}

/**
 * A crop stage of side `size` (24 before RNet, 48 before ONet). Candidates whose crop would be
 * empty (wholly outside the image) are dropped; the others' boxes become the squared boxes.
 *
 * @example
 * ```ts
 * import { crop } from "@mtcnn/mtcnn/stages";
 * const crop24 = crop(24, { padding: "zeros" }); // a Stage<CandidateState, CropState<24>>
 * ```
 */
export const crop = <N extends number>(
  size: N,
  params: CropParams = {},
): Stage<CandidateState, CropState<N>> => {
  const padding = params.padding ?? "clamp";
  return (state) => {
    if (!(Number.isInteger(size) && size >= 1 && size <= 1024)) {
      return Promise.resolve(E.left(
        mtcnnError("OptionError", `crop: size must be an integer from 1 to 1024, got ${size}`),
      ));
    }
    if (padding !== "clamp" && padding !== "zeros") {
      return Promise.resolve(E.left(mtcnnError(
        "OptionError",
        `crop: padding must be "clamp" or "zeros", got ${JSON.stringify(padding)}`,
      )));
    }
    const t0 = performance.now();
    const { batch, boxes, keep } = cutBoxes(state, size, padding);
    return Promise.resolve(E.right({
      image: state.image,
      sat: state.sat,
      source: state.source,
      phase: "crops" as const,
      candidates: selectCandidates({ ...state.candidates, boxes }, keep),
      crops: batch,
      timings: addTiming(state.timings, `crop${size}`, performance.now() - t0),
    }));
  };
};
