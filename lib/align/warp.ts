/**
 * Affine warping of an {@linkcode RgbImage} with bilinear sampling, in plain JS on typed
 * arrays.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { RgbImage } from "../image.ts";
import type { Result } from "../result.ts";
import { type Affine, invertAffine } from "./affine.ts";

/**
 * Warps `image` by `transform` (source pixel -> output pixel, the matrix OpenCV's
 * `warpAffine` takes) into a `width` x `height` image. Each output pixel is sampled
 * bilinearly at the inverse-mapped point, integer coordinates being pixel centres.
 *
 * Outside the image is black: source pixels beyond the border count as zeros, so output
 * pixels mapping outside are 0 and those straddling the border fade out, as OpenCV's
 * constant border (value 0) that InsightFace's `norm_crop` uses. Black was chosen over edge
 * replication because smeared edges look like texture to a recognition model.
 *
 * An InputError when the output size is not a positive integer or `transform` is singular.
 *
 * @example
 * ```ts
 * import { warpAffine } from "@mtcnn/mtcnn/align";
 * const image = { width: 2, height: 1, data: new Uint8Array([0, 0, 0, 200, 100, 50]) };
 * const r = warpAffine(image, [1, 0, -1, 0, 1, 0], 1, 1); // shift left by one pixel
 * if (r._tag === "Right") console.log([...r.right.data]); // [200, 100, 50]
 * ```
 */
export const warpAffine = (
  image: RgbImage,
  transform: Affine,
  width: number,
  height: number,
): Result<MtcnnError, RgbImage> => {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    return E.left(
      mtcnnError("InputError", `warp output must be >= 1x1 pixels, got ${width}x${height}`),
    );
  }
  const inv = invertAffine(transform);
  if (inv._tag === "Left") return inv;
  const [a, b, c, d, e, f] = inv.right;
  const { width: w, height: h, data: src } = image;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = a * x + b * y + c, sy = d * x + e * y + f;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) continue;
      const fx = sx - x0, fy = sy - y0;
      const o = (y * width + x) * 3;
      let r = 0, g = 0, bl = 0;
      for (let k = 0; k < 4; k++) {
        const px = x0 + (k & 1), py = y0 + (k >> 1);
        if (px < 0 || py < 0 || px >= w || py >= h) continue;
        const wt = ((k & 1) ? fx : 1 - fx) * ((k >> 1) ? fy : 1 - fy);
        const i = (py * w + px) * 3;
        r += wt * src[i], g += wt * src[i + 1], bl += wt * src[i + 2];
      }
      out[o] = Math.round(r), out[o + 1] = Math.round(g), out[o + 2] = Math.round(bl);
    }
  }
  return E.right({ width, height, data: out });
};
