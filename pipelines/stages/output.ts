/**
 * The output stage (ONet): scores the 48x48 crops, keeps those above the third threshold,
 * places the five landmarks in the crop box, applies the regression and suppresses overlaps
 * by intersection over the smaller box (0.7), following the reference (docs/networks.md, step 7).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { applyOffsets, NO_CANDIDATES, selectCandidates } from "../../lib/candidates.ts";
import { fromUnknown, type MtcnnError } from "../../lib/errors.ts";
import type { NetTensors } from "../../lib/nets/tensors.ts";
import { onet } from "../../lib/nets/onet.ts";
import { nms } from "../../lib/nms.ts";
import type { TaskResult } from "../../lib/result.ts";
import { addTiming, type CascadeState, type Stage } from "../state.ts";
import { aboveThreshold, type CropRunner, cropsOf, faceScores, localCrops } from "./crop_runner.ts";

/**
 * Landmarks in image pixels from ONet's fractions of the crop box: x = x1 - 1 + (x2 - x1 + 1)
 * * lx (the crop starts at 0-based column x1 - 1; docs/networks.md, step 7). ONet gives x1..x5 then
 * y1..y5; the result interleaves x, y per point.
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
 * The ONet stage on any runner of 48x48 crops (put `crop(48)` before it).
 *
 * @example
 * ```ts
 * import { loadDefaultWeights, localCrops, onet, outputWith, toTensors } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const net = onet(toTensors(w.right.onet));
 *   console.log(typeof outputWith(localCrops((x) => ({ ...net(x) })))); // "function"
 * }
 * ```
 */
export const outputWith =
  (run: CropRunner<"bbox" | "landmarks" | "prob">): Stage =>
  (state: CascadeState): TaskResult<MtcnnError, CascadeState> =>
  async () => {
    const t0 = performance.now();
    const c = state.candidates;
    if (c.count === 0) return E.right({ ...state, candidates: NO_CANDIDATES, crops: undefined });
    const crops = cropsOf(state, 48);
    if (crops._tag === "Left") return crops;
    try {
      const out = await run(crops.right);
      const keep = aboveThreshold(out.prob, c.count, state.options.thresholds[2]);
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
      const pick = nms(boxes, passed.scores, passed.count, state.options.nmsOutput, "min");
      const kept = selectCandidates({ ...passed, boxes, offsets: undefined }, pick);
      return E.right({
        ...state,
        candidates: kept,
        crops: undefined,
        timings: addTiming(state.timings, "onet", performance.now() - t0),
      });
    } catch (e) {
      return E.left(fromUnknown("BackendError", "ONet failed")(e));
    }
  };

/**
 * The ONet stage on 48x48 crops (put `crop(48)` before it), in this thread. Its candidates
 * carry landmarks.
 *
 * @example
 * ```ts
 * import { loadDefaultWeights, outputCrops, toTensors } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") console.log(typeof outputCrops(toTensors(w.right.onet)));
 * ```
 */
export const outputCrops = (weights: NetTensors<"onet">): Stage => {
  const net = onet(weights);
  return outputWith(localCrops((x) => ({ ...net(x) })));
};
