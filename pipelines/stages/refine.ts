/**
 * The refine stage (RNet): scores the 24x24 crops, keeps those above the second threshold,
 * suppresses overlaps (IoU 0.7) and applies the regression (docs/networks.md, step 6).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { applyOffsets, NO_CANDIDATES, selectCandidates } from "../../lib/candidates.ts";
import { fromUnknown, type MtcnnError } from "../../lib/errors.ts";
import type { NetTensors } from "../../lib/nets/tensors.ts";
import { rnet } from "../../lib/nets/rnet.ts";
import { nms } from "../../lib/nms.ts";
import type { TaskResult } from "../../lib/result.ts";
import { addTiming, type CascadeState, type Stage } from "../state.ts";
import { aboveThreshold, type CropRunner, cropsOf, faceScores, localCrops } from "./crop_runner.ts";

/**
 * The RNet stage on any runner of 24x24 crops (put `crop(24)` before it).
 *
 * @example
 * ```ts
 * import { loadDefaultWeights, localCrops, refineWith, rnet, toTensors } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const net = rnet(toTensors(w.right.rnet));
 *   console.log(typeof refineWith(localCrops((x) => ({ ...net(x) })))); // "function"
 * }
 * ```
 */
export const refineWith =
  (run: CropRunner<"bbox" | "prob">): Stage =>
  (state: CascadeState): TaskResult<MtcnnError, CascadeState> =>
  async () => {
    const t0 = performance.now();
    const c = state.candidates;
    if (c.count === 0) return E.right({ ...state, candidates: NO_CANDIDATES, crops: undefined });
    const crops = cropsOf(state, 24);
    if (crops._tag === "Left") return crops;
    try {
      const out = await run(crops.right);
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

/**
 * The RNet stage on 24x24 crops (put `crop(24)` before it), in this thread.
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
  return refineWith(localCrops((x) => ({ ...net(x) })));
};
