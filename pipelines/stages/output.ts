/**
 * The output stage (ONet): scores the 48x48 crops, keeps those above the threshold, places the
 * five landmarks in the crop box, applies the regression and suppresses overlaps by
 * intersection over the smaller box, following the reference (docs/networks.md, step 7).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { applyOffsets, NO_CANDIDATES, selectCandidates } from "../../lib/candidates.ts";
import { fromUnknown } from "../../lib/errors.ts";
import { nms } from "../../lib/nms.ts";
import type { CropNet } from "../nets/types.ts";
import { addTiming, type CandidateState, type CropState, type Stage } from "../state.ts";
import { aboveThreshold, faceScores } from "./crop_heads.ts";
import { firstError, unitParam } from "./params.ts";
import type { NetStageParams } from "./refine.ts";

/**
 * Landmarks in image pixels from ONet's fractions of the crop box: x = x1 - 1 + (x2 - x1 + 1)
 * * lx (the crop starts at 0-based column x1 - 1; docs/networks.md, step 7). ONet gives
 * x1..x5 then y1..y5; the result interleaves x, y per point.
 */
export const placeLandmarks = (
  boxes: Float64Array,
  fractions: Float32Array,
  count: number,
): Float64Array => {
  const out = new Float64Array(10 * count);
  for (let i = 0; i < count; i++) {
    const x1 = boxes[4 * i], y1 = boxes[4 * i + 1];
    const w = boxes[4 * i + 2] - x1 + 1, h = boxes[4 * i + 3] - y1 + 1;
    for (let k = 0; k < 5; k++) {
      out[10 * i + 2 * k] = w * fractions[10 * i + k] + x1 - 1;
      out[10 * i + 2 * k + 1] = h * fractions[10 * i + 5 + k] + y1 - 1;
    }
  }
  return out;
};

/**
 * The ONet stage: needs 48x48 crops of the candidates (`crop(48)` before it). Its faces carry
 * landmarks. `nms` is an intersection-over-the-smaller-box threshold here.
 *
 * @example
 * ```ts
 * import { cascade, crop, localNets, output, propose, pyramid, refine } from "@mtcnn/mtcnn/stages";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const nets = localNets(w.right);
 *   if (nets._tag === "Right") {
 *     const n = nets.right;
 *     const full = cascade(
 *       pyramid(), propose(n.pnet), crop(24), refine(n.rnet), crop(48), output(n.onet),
 *     );
 *     n.dispose();
 *   }
 * }
 * ```
 */
export const output = (
  net: CropNet<"onet">,
  params: NetStageParams = {},
): Stage<CropState<48>, CandidateState<"faces">> => {
  const threshold = params.threshold ?? 0.7;
  const iom = params.nms ?? 0.7;
  return async (state) => {
    const bad = firstError(
      unitParam("output", "threshold", threshold),
      unitParam("output", "nms", iom),
    );
    if (bad) return bad;
    const t0 = performance.now();
    const base = { image: state.image, sat: state.sat, source: state.source };
    const c = state.candidates;
    if (c.count === 0) {
      return E.right({
        ...base,
        phase: "faces",
        candidates: NO_CANDIDATES,
        timings: state.timings,
      });
    }
    try {
      const out = await net.run(state.crops);
      const keep = aboveThreshold(out.prob, c.count, threshold);
      const passed = selectCandidates(
        {
          ...c,
          scores: faceScores(out.prob, c.count),
          offsets: Float64Array.from(out.bbox),
          landmarks: placeLandmarks(c.boxes, out.landmarks, c.count),
        },
        keep,
      );
      const boxes = applyOffsets(passed.boxes, passed.offsets!, passed.count, 1);
      const pick = nms(boxes, passed.scores, passed.count, iom, "min");
      return E.right({
        ...base,
        phase: "faces",
        candidates: selectCandidates({ ...passed, boxes, offsets: undefined }, pick),
        timings: addTiming(state.timings, "onet", performance.now() - t0),
      });
    } catch (e) {
      return E.left(fromUnknown("BackendError", "ONet failed")(e));
    }
  };
};
