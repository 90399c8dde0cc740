/**
 * The refine stage (RNet): scores the 24x24 crops, keeps those above the threshold, suppresses
 * overlaps (IoU) and applies the regression (docs/networks.md, step 6).
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

/** Parameters of {@linkcode refine} and {@linkcode output}. */
export interface NetStageParams {
  /** Face probability a crop needs. Default 0.7. */
  readonly threshold?: number;
  /** Overlap threshold of the NMS after the net. Default 0.7. */
  readonly nms?: number;
}

/**
 * The RNet stage: needs 24x24 crops of the candidates (`crop(24)` before it).
 *
 * @example
 * ```ts
 * import { cascade, crop, localNets, propose, pyramid, refine } from "@mtcnn/mtcnn/stages";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const nets = localNets(w.right);
 *   if (nets._tag === "Right") {
 *     const n = nets.right;
 *     const faces = cascade(pyramid(), propose(n.pnet), crop(24), refine(n.rnet, { threshold: 0.8 }));
 *     n.dispose();
 *   }
 * }
 * ```
 */
export const refine = (
  net: CropNet<"rnet">,
  params: NetStageParams = {},
): Stage<CropState<24>, CandidateState<"refined">> => {
  const threshold = params.threshold ?? 0.7;
  const iou = params.nms ?? 0.7;
  return async (state) => {
    const bad = firstError(
      unitParam("refine", "threshold", threshold),
      unitParam("refine", "nms", iou),
    );
    if (bad) return bad;
    const t0 = performance.now();
    const base = { image: state.image, sat: state.sat, source: state.source };
    const c = state.candidates;
    if (c.count === 0) {
      return E.right({
        ...base,
        phase: "refined",
        candidates: NO_CANDIDATES,
        timings: state.timings,
      });
    }
    try {
      const out = await net.run(state.crops);
      const keep = aboveThreshold(out.prob, c.count, threshold);
      const passed = selectCandidates(
        { ...c, scores: faceScores(out.prob, c.count), offsets: Float64Array.from(out.bbox) },
        keep,
      );
      const kept = selectCandidates(passed, nms(passed.boxes, passed.scores, passed.count, iou));
      const boxes = applyOffsets(kept.boxes, kept.offsets!, kept.count, 1);
      return E.right({
        ...base,
        phase: "refined",
        candidates: { count: kept.count, boxes, scores: kept.scores },
        timings: addTiming(state.timings, "rnet", performance.now() - t0),
      });
    } catch (e) {
      return E.left(fromUnknown("BackendError", "RNet failed")(e));
    }
  };
};
