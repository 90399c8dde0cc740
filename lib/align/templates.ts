/**
 * Five-point face templates: where aligned landmarks should land.
 *
 * @module
 */
import type { Point } from "../face.ts";

/**
 * The five-point template of ArcFace / InsightFace for 112x112 crops (left eye, right eye,
 * nose, left mouth corner, right mouth corner; pixel centres at integers). Numbers from
 * `arcface_dst` in deepinsight/insightface, `python-package/insightface/utils/face_align.py`,
 * the template most face recognition models (ArcFace, CosFace, AdaFace, ...) are trained on.
 *
 * @example
 * ```ts
 * import { ARCFACE_TEMPLATE_112 } from "@mtcnn/mtcnn/align";
 * console.log(ARCFACE_TEMPLATE_112[0]); // the left eye in a 112x112 crop
 * ```
 */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * The side of the square crop {@linkcode ARCFACE_TEMPLATE_112} is defined for.
 *
 * @example
 * ```ts
 * import { ARCFACE_SIZE } from "@mtcnn/mtcnn/align";
 * console.log(ARCFACE_SIZE); // 112
 * ```
 */
export const ARCFACE_SIZE = 112;

/** Size and margin of a template. */
export interface TemplateOptions {
  /** Side of the square output in pixels. Default 112. */
  readonly size?: number;
  /**
   * Extra context around the face, as a fraction of `size` on each side: the 112 template is
   * shrunk to `size * (1 - 2 * margin)` and centred. Default 0 (the exact ArcFace crop);
   * must be in [0, 0.5).
   */
  readonly margin?: number;
}

/**
 * The ArcFace template scaled to a `size` x `size` crop with a `margin`: with the defaults it
 * is {@linkcode ARCFACE_TEMPLATE_112} itself. Invalid options are the caller's to check
 * (see `alignFace`).
 *
 * @example
 * ```ts
 * import { faceTemplate } from "@mtcnn/mtcnn/align";
 * console.log(faceTemplate({ size: 224 })[0]); // [76.5892, 103.3926]
 * console.log(faceTemplate({ size: 112, margin: 0.25 })[2]); // about [56.01, 63.87]
 * ```
 */
export const faceTemplate = (options: TemplateOptions = {}): readonly Point[] => {
  const size = options.size ?? ARCFACE_SIZE;
  const margin = options.margin ?? 0;
  const scale = size * (1 - 2 * margin) / ARCFACE_SIZE;
  const offset = size * margin;
  return ARCFACE_TEMPLATE_112.map(([x, y]): Point => [x * scale + offset, y * scale + offset]);
};
