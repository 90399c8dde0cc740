/**
 * The pyramid stage: every PNet level of the image, area-averaged from one summed-area table
 * (as the reference resizes with PyTorch's area mode) and normalized.
 *
 * @module
 */
import * as TE from "fp-ts/TaskEither.js";
import { areaResample, type SummedAreaTable } from "../../lib/area_resample.ts";
import type { MtcnnError } from "../../lib/errors.ts";
import { type PyramidLevel, pyramidLevels } from "../../lib/pyramid.ts";
import type { TaskResult } from "../../lib/result.ts";
import { addTiming, type CascadeState, type LevelImage } from "../state.ts";

/** The normalized pixels of one level, area-averaged from the whole image. */
export const levelPixels = (sat: SummedAreaTable, level: PyramidLevel): Float32Array => {
  const data = new Float32Array(level.width * level.height * 3);
  areaResample(sat, 0, 0, sat.width, sat.height, level.width, level.height, data);
  return data;
};

/**
 * The pyramid plan stage: the levels' scales and sizes only. The propose stage computes each
 * level's pixels when it needs them (in a worker, with a worker pool).
 *
 * @example
 * ```ts
 * import { pyramidPlan } from "@mtcnn/mtcnn";
 * console.log(typeof pyramidPlan); // "function": a Stage
 * ```
 */
export const pyramidPlan = (state: CascadeState): TaskResult<MtcnnError, CascadeState> =>
  TE.right({
    ...state,
    levels: pyramidLevels(
      state.image.width,
      state.image.height,
      state.options.minFaceSize,
      state.options.scaleFactor,
    ),
  });

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
  ).map((l) => ({ ...l, data: levelPixels(state.sat, l) }));
  return TE.right({
    ...state,
    levels,
    timings: addTiming(state.timings, "pyramid", performance.now() - t0),
  });
};
