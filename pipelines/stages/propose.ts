/**
 * The propose stage (PNet): scores every 12x12 window on every pyramid level, keeps cells at or
 * above the threshold, suppresses overlaps per level and across levels, and applies the
 * regression, following the reference (docs/networks.md, steps 2-4).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import {
  applyOffsets,
  concatCandidates,
  NO_CANDIDATES,
  selectCandidates,
} from "../../lib/candidates.ts";
import { fromUnknown } from "../../lib/errors.ts";
import { nms } from "../../lib/nms.ts";
import type { PNetRunner } from "../nets/types.ts";
import { addTiming, type CandidateState, type PyramidState, type Stage } from "../state.ts";
import { firstError, unitParam } from "./params.ts";

/** Parameters of {@linkcode propose}. */
export interface ProposeParams {
  /** Face probability a PNet cell needs. Default 0.6. */
  readonly threshold?: number;
  /** IoU NMS threshold within one pyramid level. Default 0.5. */
  readonly nmsPerScale?: number;
  /** IoU NMS threshold over all levels. Default 0.7. */
  readonly nmsAcrossScales?: number;
}

/**
 * The PNet stage: PNet's proposals (regression applied, not yet square) from the pyramid.
 *
 * @example
 * ```ts
 * import { localNets, propose, pyramid, cascade } from "@mtcnn/mtcnn/stages";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const nets = localNets(w.right);
 *   if (nets._tag === "Right") {
 *     const proposals = cascade(pyramid(), propose(nets.right.pnet, { threshold: 0.7 }));
 *     nets.right.dispose();
 *   }
 * }
 * ```
 */
export const propose = (
  net: PNetRunner,
  params: ProposeParams = {},
): Stage<PyramidState, CandidateState<"proposals">> => {
  const threshold = params.threshold ?? 0.6;
  const perScale = params.nmsPerScale ?? 0.5;
  const across = params.nmsAcrossScales ?? 0.7;
  return async (state) => {
    const bad = firstError(
      unitParam("propose", "threshold", threshold),
      unitParam("propose", "nmsPerScale", perScale),
      unitParam("propose", "nmsAcrossScales", across),
    );
    if (bad) return bad;
    const t0 = performance.now();
    try {
      const perLevel = await net.run(state.sat, state.levels, threshold, perScale);
      const all = perLevel.length ? concatCandidates(perLevel) : NO_CANDIDATES;
      const kept = selectCandidates(all, nms(all.boxes, all.scores, all.count, across));
      const offsets = kept.offsets ?? new Float64Array(4 * kept.count);
      const boxes = applyOffsets(kept.boxes, offsets, kept.count, 0);
      return E.right({
        image: state.image,
        sat: state.sat,
        source: state.source,
        phase: "proposals" as const,
        candidates: { count: kept.count, boxes, scores: kept.scores },
        timings: addTiming(state.timings, "pnet", performance.now() - t0),
      });
    } catch (e) {
      return E.left(fromUnknown("BackendError", "PNet failed")(e));
    }
  };
};
