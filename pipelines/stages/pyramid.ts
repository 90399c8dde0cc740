/**
 * The pyramid stage: the scales and sizes of PNet's levels. Their pixels are area-averaged
 * from the image's summed-area table where PNet runs (this thread or a worker).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { mtcnnError } from "../../lib/errors.ts";
import { pyramidLevels } from "../../lib/pyramid.ts";
import { firstError } from "./params.ts";
import type { ImageState, PyramidState, Stage } from "../state.ts";

/** Parameters of {@linkcode pyramid}. */
export interface PyramidParams {
  /** Smallest face side in pixels that the pyramid looks for. Default 20. */
  readonly minFaceSize?: number;
  /** Ratio between pyramid levels, in (0.1, 0.99). Default 0.709 (the paper's). */
  readonly scaleFactor?: number;
}

/**
 * The pyramid stage: scales 12 / minFaceSize * scaleFactor^k while the short side stays at
 * least 12 px. An image whose short side is below `minFaceSize` gives no levels, so no faces.
 *
 * @example
 * ```ts
 * import { pyramid } from "@mtcnn/mtcnn/stages";
 * const levels = pyramid({ minFaceSize: 40 }); // a Stage<ImageState, PyramidState>
 * ```
 */
export const pyramid = (params: PyramidParams = {}): Stage<ImageState, PyramidState> => {
  const minFaceSize = params.minFaceSize ?? 20;
  const scaleFactor = params.scaleFactor ?? 0.709;
  return (state) => {
    const bad = firstError(
      Number.isFinite(minFaceSize) && minFaceSize >= 1 ? undefined : mtcnnError(
        "OptionError",
        `pyramid: minFaceSize must be a number >= 1, got ${minFaceSize}`,
      ),
      scaleFactor > 0.1 && scaleFactor < 0.99 ? undefined : mtcnnError(
        "OptionError",
        `pyramid: scaleFactor must be in (0.1, 0.99), got ${scaleFactor}`,
      ),
    );
    if (bad) return Promise.resolve(bad);
    const { width, height } = state.image;
    return Promise.resolve(E.right({
      image: state.image,
      sat: state.sat,
      source: state.source,
      timings: state.timings,
      phase: "pyramid" as const,
      levels: pyramidLevels(width, height, minFaceSize, scaleFactor),
    }));
  };
};
