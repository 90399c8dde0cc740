/**
 * The flip stage (test-time augmentation): runs a cascade on the image and on its mirror image,
 * maps the mirror's faces back and merges both sets (intersection over the smaller box).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { isSharedTable, summedAreaTable } from "../../lib/area_resample.ts";
import { type Candidates, concatCandidates, selectCandidates } from "../../lib/candidates.ts";
import type { RgbImage } from "../../lib/image.ts";
import { nms } from "../../lib/nms.ts";
import { runStage } from "../compose.ts";
import type { CandidatePhase, CandidateState, ImageState, Stage } from "../state.ts";
import { firstError, unitParam } from "./params.ts";

/** The image mirrored left to right. */
export const mirrorImage = (img: RgbImage): RgbImage => {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3, d = (y * w + (w - 1 - x)) * 3;
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
    }
  }
  return { width: w, height: h, data: out };
};

/** The landmark order after mirroring: the eyes and the mouth corners swap sides. */
const MIRRORED_POINT = [1, 0, 2, 4, 3];

/**
 * Candidates of the mirror image in the original image's coordinates. A box covers 0-based
 * pixel columns x1 - 1 .. x2 - 1 (the reference's crop convention), landmarks are 0-based.
 */
export const unmirrorCandidates = (c: Candidates, width: number): Candidates => {
  const boxes = new Float64Array(c.boxes.length);
  for (let i = 0; i < c.count; i++) {
    boxes[4 * i] = width - c.boxes[4 * i + 2] + 1;
    boxes[4 * i + 1] = c.boxes[4 * i + 1];
    boxes[4 * i + 2] = width - c.boxes[4 * i] + 1;
    boxes[4 * i + 3] = c.boxes[4 * i + 3];
  }
  let landmarks: Float64Array | undefined;
  if (c.landmarks) {
    landmarks = new Float64Array(c.landmarks.length);
    for (let i = 0; i < c.count; i++) {
      for (let k = 0; k < 5; k++) {
        const from = 10 * i + 2 * MIRRORED_POINT[k];
        landmarks[10 * i + 2 * k] = width - 1 - c.landmarks[from];
        landmarks[10 * i + 2 * k + 1] = c.landmarks[from + 1];
      }
    }
  }
  return { ...c, boxes, landmarks, offsets: undefined };
};

/** Parameters of {@linkcode flip}. */
export interface FlipParams {
  /** Intersection-over-smaller NMS threshold merging both sets. Default 0.7. */
  readonly nms?: number;
}

/**
 * Runs `inner` on the image and on its mirror image and merges the faces: more recall on hard
 * faces for twice the time (the `flip` option and the `accurate` preset use it).
 *
 * @example
 * ```ts
 * import { faceAndLandmarks, flip, localNets } from "@mtcnn/mtcnn/stages";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const nets = localNets(w.right);
 *   if (nets._tag === "Right") {
 *     const both = flip(faceAndLandmarks(nets.right));
 *     nets.right.dispose();
 *   }
 * }
 * ```
 */
export const flip = <P extends CandidatePhase>(
  inner: Stage<ImageState, CandidateState<P>>,
  params: FlipParams = {},
): Stage<ImageState, CandidateState<P>> => {
  const iom = params.nms ?? 0.7;
  return async (state) => {
    const bad = firstError(unitParam("flip", "nms", iom));
    if (bad) return bad;
    const a = await runStage(inner, state);
    if (a._tag === "Left") return a;
    const image = mirrorImage(state.image);
    const shared = isSharedTable(state.sat);
    const b = await runStage(inner, {
      ...state,
      image,
      sat: summedAreaTable(image, shared),
      timings: {},
    });
    if (b._tag === "Left") return b;
    const all = concatCandidates([
      a.right.candidates,
      unmirrorCandidates(b.right.candidates, image.width),
    ]);
    const keep = nms(all.boxes, all.scores, all.count, iom, "min");
    const timings = { ...a.right.timings };
    for (const [k, v] of Object.entries(b.right.timings)) timings[k] = (timings[k] ?? 0) + v;
    return E.right({ ...a.right, candidates: selectCandidates(all, keep), timings });
  };
};
