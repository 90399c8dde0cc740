/**
 * The pyramid stage: every PNet level of the image, area-averaged from one summed-area table
 * (as the reference resizes with PyTorch's area mode) and normalized.
 *
 * @module
 */
import * as TE from "fp-ts/TaskEither.js";
import { areaResample } from "../../lib/area_resample.ts";
import type { MtcnnError } from "../../lib/errors.ts";
import { pyramidLevels } from "../../lib/pyramid.ts";
import type { TaskResult } from "../../lib/result.ts";
import { addTiming, type CascadeState, type LevelImage } from "../state.ts";

/**
 * Computes the pyramid levels for the state's options (minFaceSize, scaleFactor). An image whose
 * short side is below minFaceSize gives no levels, and so no faces.
 *
 * @example
 * ```ts
 * import { pyramid } from "@mtcnn/mtcnn";
 * console.log(typeof pyramid); // "function": a Stage
 * ```
 */
export const pyramid = (state: CascadeState): TaskResult<MtcnnError, CascadeState> => {
  const t0 = performance.now();
  const { width, height } = state.image;
  const levels: LevelImage[] = pyramidLevels(
    width,
    height,
    state.options.minFaceSize,
    state.options.scaleFactor,
  ).map((l) => {
    const data = new Float32Array(l.width * l.height * 3);
    areaResample(state.sat, 0, 0, width, height, l.width, l.height, data);
    return { ...l, data };
  });
  return TE.right({
    ...state,
    levels,
    timings: addTiming(state.timings, "pyramid", performance.now() - t0),
  });
};
