/**
 * Aligned face crops: the five landmarks mapped onto a recognition template by a similarity
 * transform.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import { KEYPOINT_NAMES, type Keypoints, type Point } from "../face.ts";
import type { RgbImage } from "../image.ts";
import type { Result } from "../result.ts";
import type { Affine } from "./affine.ts";
import { estimateSimilarity } from "./similarity.ts";
import { faceTemplate, type TemplateOptions } from "./templates.ts";
import { warpAffine } from "./warp.ts";

/** Options of {@linkcode alignFace}: the template's size (default 112) and margin (default 0). */
export type AlignOptions = TemplateOptions;

/** An aligned crop and the transform that made it. */
export interface AlignedFace {
  /** The `size` x `size` crop. */
  readonly image: RgbImage;
  /** Input image pixel -> crop pixel (apply it to the keypoints to get them in the crop). */
  readonly transform: Affine;
}

/**
 * Crops the face with keypoints `keypoints` from `image`, rotated and scaled so that its
 * landmarks land on the ArcFace template (see `faceTemplate`): the input of most face
 * recognition models. Pixels outside `image` are black.
 *
 * An OptionError when `size` is not an integer >= 1 or `margin` is outside [0, 0.5); an
 * InputError when the keypoints are not finite or all coincide.
 *
 * @example
 * ```ts
 * import { alignFace } from "@mtcnn/mtcnn/align";
 * const image = { width: 200, height: 200, data: new Uint8Array(200 * 200 * 3) };
 * const keypoints = {
 *   left_eye: [70, 80], right_eye: [130, 80], nose: [100, 110],
 *   mouth_left: [75, 140], mouth_right: [125, 140],
 * } as const;
 * const r = alignFace(image, keypoints, { size: 112 });
 * if (r._tag === "Right") console.log(r.right.image.width, r.right.transform);
 * ```
 */
export const alignFace = (
  image: RgbImage,
  keypoints: Keypoints,
  options: AlignOptions = {},
): Result<MtcnnError, AlignedFace> => {
  const size = options.size ?? 112;
  const margin = options.margin ?? 0;
  if (!Number.isInteger(size) || size < 1) {
    return E.left(mtcnnError("OptionError", `align size must be an integer >= 1, got ${size}`));
  }
  if (!(margin >= 0 && margin < 0.5)) {
    return E.left(mtcnnError("OptionError", `align margin must be in [0, 0.5), got ${margin}`));
  }
  const src: Point[] = KEYPOINT_NAMES.map((k) => keypoints[k]);
  const transform = estimateSimilarity(src, faceTemplate({ size, margin }));
  if (transform._tag === "Left") return transform;
  const warped = warpAffine(image, transform.right, size, size);
  return warped._tag === "Left"
    ? warped
    : E.right({ image: warped.right, transform: transform.right });
};
