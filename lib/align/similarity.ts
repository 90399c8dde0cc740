/**
 * Least-squares similarity transform (rotation, uniform scale, translation; no reflection)
 * between two point sets: Umeyama, "Least-squares estimation of transformation parameters
 * between two point patterns", IEEE PAMI 13(4), 1991.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Point } from "../face.ts";
import type { Result } from "../result.ts";
import type { Affine } from "./affine.ts";

/**
 * The similarity transform `T` minimising `sum |T(src[i]) - dst[i]|^2`, as an
 * {@linkcode Affine}.
 *
 * In 2-D, Umeyama's SVD solution with its reflection guard (S = diag(1, sign det)) reduces to
 * a closed form: with centred points x' and y', scale * cos = sum(x'.y') / sum|x'|^2 and
 * scale * sin = sum(x' cross y') / sum|x'|^2. (The optimal rotation's trace d1 + sign * d2
 * equals sqrt((s11 + s22)^2 + (s21 - s12)^2) of the 2x2 covariance, so the two agree.)
 *
 * An InputError when the sets differ in size, have fewer than 2 points, hold non-finite
 * values, or the source points all coincide (no scale or rotation can be recovered).
 *
 * @example
 * ```ts
 * import { estimateSimilarity } from "@mtcnn/mtcnn/align";
 * const r = estimateSimilarity([[0, 0], [1, 0], [0, 1]], [[1, 1], [1, 3], [-1, 1]]);
 * if (r._tag === "Right") console.log(r.right.map((v) => Math.round(v))); // [0, -2, 1, 2, 0, 1]
 * ```
 */
export const estimateSimilarity = (
  src: readonly Point[],
  dst: readonly Point[],
): Result<MtcnnError, Affine> => {
  const n = src.length;
  if (n !== dst.length || n < 2) {
    return E.left(
      mtcnnError("InputError", `similarity needs 2+ point pairs, got ${n} and ${dst.length}`),
    );
  }
  if (![...src, ...dst].every((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]))) {
    return E.left(mtcnnError("InputError", "similarity: a landmark is not a finite number"));
  }
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i][0], sy += src[i][1], dx += dst[i][0], dy += dst[i][1];
  }
  sx /= n, sy /= n, dx /= n, dy /= n;
  let varSrc = 0, dot = 0, cross = 0, spread = 0;
  for (let i = 0; i < n; i++) {
    const ux = src[i][0] - sx, uy = src[i][1] - sy;
    const vx = dst[i][0] - dx, vy = dst[i][1] - dy;
    varSrc += ux * ux + uy * uy;
    spread = Math.max(spread, Math.abs(src[i][0]), Math.abs(src[i][1]));
    dot += ux * vx + uy * vy;
    cross += ux * vy - uy * vx;
  }
  // Relative test: points equal up to float noise are as degenerate as exactly equal ones.
  if (!(varSrc > 1e-18 * Math.max(1, spread * spread) * n)) {
    return E.left(
      mtcnnError("InputError", "similarity: the source landmarks all coincide (degenerate face)"),
    );
  }
  const a = dot / varSrc, b = cross / varSrc;
  return E.right([a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)]);
};
