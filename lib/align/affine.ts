/**
 * 2-D affine transforms as six numbers, in OpenCV's 2x3 row-major layout.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Point } from "../face.ts";
import type { Result } from "../result.ts";

/**
 * `[a, b, c, d, e, f]`: a point (x, y) maps to (a x + b y + c, d x + e y + f), the layout of
 * OpenCV's 2x3 matrices. Coordinates are pixels with integer values at pixel centres.
 */
export type Affine = readonly [number, number, number, number, number, number];

/**
 * The transform that leaves every point where it is.
 *
 * @example
 * ```ts
 * import { applyAffine, IDENTITY_AFFINE } from "@mtcnn/mtcnn/align";
 * console.log(applyAffine(IDENTITY_AFFINE, [3, 4])); // [3, 4]
 * ```
 */
export const IDENTITY_AFFINE: Affine = [1, 0, 0, 0, 1, 0];

/**
 * Where `t` sends the point `p`.
 *
 * @example
 * ```ts
 * import { applyAffine } from "@mtcnn/mtcnn/align";
 * console.log(applyAffine([2, 0, 1, 0, 2, 1], [3, 4])); // [7, 9]
 * ```
 */
export const applyAffine = (t: Affine, p: Point): Point => [
  t[0] * p[0] + t[1] * p[1] + t[2],
  t[3] * p[0] + t[4] * p[1] + t[5],
];

/**
 * The inverse transform; an InputError when `t` is singular (or not finite), which is what
 * a degenerate landmark set would produce.
 *
 * @example
 * ```ts
 * import { invertAffine } from "@mtcnn/mtcnn/align";
 * const r = invertAffine([2, 0, 1, 0, 2, 1]);
 * if (r._tag === "Right") console.log(r.right); // [0.5, 0, -0.5, 0, 0.5, -0.5]
 * ```
 */
export const invertAffine = (t: Affine): Result<MtcnnError, Affine> => {
  const [a, b, c, d, e, f] = t;
  const det = a * e - b * d;
  const scale = Math.max(Math.abs(a), Math.abs(b), Math.abs(d), Math.abs(e));
  if (!t.every(Number.isFinite) || !(Math.abs(det) > 1e-12 * scale * scale)) {
    return E.left(mtcnnError("InputError", `affine transform [${t.join(", ")}] is not invertible`));
  }
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  return E.right([ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)]);
};
