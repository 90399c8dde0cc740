/**
 * The landmark stage: a second ONet, used for landmarks only, run on 48x48 crops of the final
 * boxes (after ONet's regression and overlap suppression). It replaces the candidates'
 * landmarks and nothing else, so detection (boxes, scores, which faces) stays exactly what the
 * cascade before it gave; the landmark net can then be trained on every layer without touching
 * detection (docs/training.md).
 *
 * The crops are cut as `crop(48)` cuts them (squared around the box centre, corners truncated,
 * area-resized) and the landmarks are placed in the squared box as the output stage places them
 * (`placeLandmarks`). The part of a box outside the image is mid grey by default (zero padding,
 * the paper's convention), whatever the cascade's `cropPadding`: a clamped crop is stretched by
 * an amount the net cannot see, while the landmarks are placed in the whole box. The landmark
 * net must be trained on crops cut the same way (`deno task dataset --after-onet`).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type Candidates, selectCandidates } from "../../lib/candidates.ts";
import { fromUnknown, type MtcnnError } from "../../lib/errors.ts";
import type { NetTensors } from "../../lib/nets/tensors.ts";
import { onet } from "../../lib/nets/onet.ts";
import type { TaskResult } from "../../lib/result.ts";
import type { CropPadding } from "../options.ts";
import { addTiming, type CascadeState, type CropBatch, type Stage } from "../state.ts";
import { cropPixels, cutBoxes } from "./crop.ts";
import { type CropRunner, localCrops } from "./crop_runner.ts";
import { placeLandmarks } from "./output.ts";

/** 48: ONet's input side. */
const SIDE = 48;

/**
 * The 48x48 crops of the candidates' squared boxes (cut as `crop(48)` cuts them), those boxes, and
 * which candidates they belong to (those whose crop is not empty).
 */
const cropsOfBoxes = (
  state: CascadeState,
  padding: CropPadding,
): { batch: CropBatch; squared: Float64Array; index: number[] } => {
  const { batch, boxes, keep } = cutBoxes(state, SIDE, padding);
  const squared = selectCandidates({ ...state.candidates, boxes }, keep).boxes;
  return { batch: { ...batch, data: cropPixels(batch) }, squared, index: keep };
};

/**
 * The candidates with new landmarks where a crop was cut. A candidate whose crop is empty keeps
 * its landmarks; when the candidates had none (a face-only cascade), it is dropped, as
 * `crop(48)` drops it.
 */
const withLandmarks = (
  c: Candidates,
  index: readonly number[],
  placed: Float64Array,
): Candidates => {
  if (!c.landmarks && index.length < c.count) {
    const { boxes, scores } = selectCandidates(c, index);
    return { count: index.length, boxes, scores, landmarks: placed };
  }
  const landmarks = c.landmarks ? Float64Array.from(c.landmarks) : new Float64Array(10 * c.count);
  index.forEach((k, j) => landmarks.set(placed.subarray(10 * j, 10 * j + 10), 10 * k));
  return { ...c, landmarks };
};

/**
 * The landmark stage's default padding: `"zeros"`. On MTFL's validation list reframed like AFLW
 * (docs/training.md), the pretrained ONet's landmark error on the final boxes' crops is 0.00028
 * (squared, in crop units) zero-padded against 0.00134 clamped.
 */
export const LANDMARK_PADDING: CropPadding = "zeros";

/** Options of the landmark stage. */
export interface LandmarkStageOptions {
  /**
   * How a crop treats the part of its box outside the image: `"clamp"` (the box is clamped to
   * the image, so the crop is stretched) or `"zeros"` (mid grey outside: the crop keeps the box's
   * geometry). Default {@linkcode LANDMARK_PADDING}, whatever the cascade's `cropPadding`.
   */
  readonly padding?: CropPadding;
}

/**
 * The landmark stage on any runner of 48x48 crops that gives ONet's `landmarks` head. Put it
 * after the output stage (or any stage that leaves final boxes); it needs no crop stage before
 * it. Boxes, scores and their order are kept.
 *
 * @example
 * ```ts
 * import { loadDefaultWeights, localCrops, onet, refineLandmarksWith, toTensors } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const net = onet(toTensors(w.right.onet));
 *   const stage = refineLandmarksWith(localCrops((x) => ({ landmarks: net(x).landmarks })));
 *   console.log(typeof stage); // "function": what refineLandmarks() builds
 * }
 * ```
 */
export const refineLandmarksWith =
  (run: CropRunner<"landmarks">, options: LandmarkStageOptions = {}): Stage =>
  (state: CascadeState): TaskResult<MtcnnError, CascadeState> =>
  async () => {
    const t0 = performance.now();
    const c = state.candidates;
    if (c.count === 0) return E.right(state);
    const { batch, squared, index } = cropsOfBoxes(state, options.padding ?? LANDMARK_PADDING);
    try {
      const placed = index.length
        ? placeLandmarks(squared, (await run(batch)).landmarks, index.length)
        : new Float64Array(0);
      return E.right({
        ...state,
        candidates: withLandmarks(c, index, placed),
        crops: undefined,
        timings: addTiming(state.timings, "landmarks", performance.now() - t0),
      });
    } catch (e) {
      return E.left(fromUnknown("BackendError", "the landmark ONet failed")(e));
    }
  };

/**
 * The landmark stage in this thread: an ONet whose landmark head replaces the candidates'
 * landmarks, cut around the final boxes (its other heads are not used). Borrows `weights`
 * (the caller disposes them after the detector). Use the `padding` its training set was cut
 * with.
 *
 * @example
 * ```ts
 * import {
 *   createDetector, faceAndLandmarks, loadDefaultWeights, refineLandmarks, toTensors,
 * } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights(); // a fine-tuned landmark ONet in practice
 * if (w._tag === "Right") {
 *   const lm = toTensors(w.right.onet);
 *   const d = createDetector(w.right, {
 *     stages: (t) => [...faceAndLandmarks(t), refineLandmarks(lm)],
 *   });
 *   if (d._tag === "Right") d.right.dispose();
 * }
 * ```
 */
export const refineLandmarks = (
  weights: NetTensors<"onet">,
  options: LandmarkStageOptions = {},
): Stage => {
  const net = onet(weights);
  return refineLandmarksWith(localCrops((x) => ({ landmarks: net(x).landmarks })), options);
};
