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
import { fromUnknown, mtcnnError } from "../../lib/errors.ts";
import type { CropPadding } from "../options.ts";
import type { CropNet } from "../nets/types.ts";
import { addTiming, type CandidateState, type Stage } from "../state.ts";
import { cutBoxes } from "./crop.ts";
import { placeLandmarks } from "./output.ts";

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

/** Parameters of {@linkcode refineLandmarks}. */
export interface LandmarkParams {
  /**
   * How a crop treats the part of its box outside the image: `"clamp"` (the box is clamped to
   * the image, so the crop is stretched) or `"zeros"` (mid grey outside: the crop keeps the box's
   * geometry). Default {@linkcode LANDMARK_PADDING}, whatever the crop stages' padding.
   */
  readonly padding?: CropPadding;
}

/**
 * The landmark stage: an ONet (the pretrained one, or one fine-tuned for landmarks) whose
 * landmark head replaces the candidates' landmarks, on crops cut around the final boxes. Put it
 * after ONet (or after RNet in a face-only cascade); it needs no crop stage before it. Boxes,
 * scores and their order are kept. Use the `padding` its training set was cut with.
 *
 * @example
 * ```ts
 * import { cascade, faceAndLandmarks, localNets, refineLandmarks } from "@mtcnn/mtcnn/stages";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights(); // a fine-tuned landmark ONet in practice
 * if (w._tag === "Right") {
 *   const nets = localNets(w.right);
 *   if (nets._tag === "Right") {
 *     const n = nets.right;
 *     const better = cascade(faceAndLandmarks(n), refineLandmarks(n.onet));
 *     n.dispose();
 *   }
 * }
 * ```
 */
export const refineLandmarks = (
  net: CropNet<"onet">,
  params: LandmarkParams = {},
): Stage<CandidateState, CandidateState<"faces">> => {
  const padding = params.padding ?? LANDMARK_PADDING;
  return async (state) => {
    if (padding !== "clamp" && padding !== "zeros") {
      return E.left(mtcnnError(
        "OptionError",
        `refineLandmarks: padding must be "clamp" or "zeros", got ${JSON.stringify(padding)}`,
      ));
    }
    const t0 = performance.now();
    const c = state.candidates;
    const done = { ...state, phase: "faces" as const };
    if (c.count === 0) return E.right(done);
    const { batch, boxes, keep } = cutBoxes(state, 48, padding);
    const squared = selectCandidates({ ...c, boxes }, keep).boxes;
    try {
      const placed = keep.length
        ? placeLandmarks(squared, (await net.run(batch)).landmarks, keep.length)
        : new Float64Array(0);
      return E.right({
        ...done,
        candidates: withLandmarks(c, keep, placed),
        timings: addTiming(state.timings, "landmarks", performance.now() - t0),
      });
    } catch (e) {
      return E.left(fromUnknown("BackendError", "the landmark ONet failed")(e));
    }
  };
};
