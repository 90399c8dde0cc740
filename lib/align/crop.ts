/**
 * Plain box crops with a margin, optionally square and resized.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { BoxFormat } from "../face.ts";
import type { RgbImage } from "../image.ts";
import type { Result } from "../result.ts";
import { warpAffine } from "./warp.ts";

/** Options of {@linkcode cropFace}. */
export interface CropOptions {
  /** Context added on each side, as a fraction of the box's width / height. Default 0. */
  readonly margin?: number;
  /** Grow the shorter side to the longer one around the box centre first. Default false. */
  readonly square?: boolean;
  /** Resize the crop to `size` x `size` (bilinear). Default: keep the cropped pixels. */
  readonly size?: number;
  /** How `box` is given. Default `"xywh"`, the detector's default. */
  readonly boxFormat?: BoxFormat;
}

/** A crop and where it came from. */
export interface CroppedFace {
  /** The cropped (and maybe resized) pixels. */
  readonly image: RgbImage;
  /** The region of the input that was cropped, [x, y, w, h] in whole pixels. */
  readonly region: readonly [number, number, number, number];
}

/**
 * Crops `box` from `image` with a margin. The region (after margin and squaring) is rounded
 * outwards to whole pixels and clamped to the image, as facenet-pytorch's `extract_face`
 * does: near the border a square crop can come out narrower, and with `size` it is then
 * stretched to a square.
 *
 * An OptionError for a negative or non-finite margin or a `size` that is not an integer >= 1;
 * an InputError when the box is not finite or lies entirely outside the image.
 *
 * @example
 * ```ts
 * import { cropFace } from "@mtcnn/mtcnn/align";
 * const image = { width: 100, height: 100, data: new Uint8Array(100 * 100 * 3) };
 * const r = cropFace(image, [40, 30, 20, 30], { margin: 0.5, square: true, size: 64 });
 * if (r._tag === "Right") console.log(r.right.region, r.right.image.width); // [20, 15, 60, 60] 64
 * ```
 */
export const cropFace = (
  image: RgbImage,
  box: readonly [number, number, number, number],
  options: CropOptions = {},
): Result<MtcnnError, CroppedFace> => {
  const { margin = 0, square = false, size, boxFormat = "xywh" } = options;
  if (!(margin >= 0 && Number.isFinite(margin))) {
    return E.left(mtcnnError("OptionError", `crop margin must be >= 0, got ${margin}`));
  }
  if (size !== undefined && !(Number.isInteger(size) && size >= 1)) {
    return E.left(mtcnnError("OptionError", `crop size must be an integer >= 1, got ${size}`));
  }
  if (!box.every(Number.isFinite)) {
    return E.left(mtcnnError("InputError", `crop box [${box.join(", ")}] is not finite`));
  }
  const [bx, by] = box;
  let w = boxFormat === "xyxy" ? box[2] - bx : box[2];
  let h = boxFormat === "xyxy" ? box[3] - by : box[3];
  const cx = bx + w / 2, cy = by + h / 2;
  w *= 1 + 2 * margin, h *= 1 + 2 * margin;
  if (square) w = h = Math.max(w, h);
  const x1 = Math.max(0, Math.floor(cx - w / 2)), y1 = Math.max(0, Math.floor(cy - h / 2));
  const x2 = Math.min(image.width, Math.ceil(cx + w / 2));
  const y2 = Math.min(image.height, Math.ceil(cy + h / 2));
  if (x2 <= x1 || y2 <= y1) {
    return E.left(
      mtcnnError(
        "InputError",
        `crop box [${box.join(", ")}] lies outside the ${image.width}x${image.height} image`,
      ),
    );
  }
  const cw = x2 - x1, ch = y2 - y1;
  const outW = size ?? cw, outH = size ?? ch;
  // Pixel-centre resize: output u samples source x1 + (u + 0.5) * cw / outW - 0.5.
  const sx = outW / cw, sy = outH / ch;
  const warped = warpAffine(
    image,
    [sx, 0, (0.5 - x1) * sx - 0.5, 0, sy, (0.5 - y1) * sy - 0.5],
    outW,
    outH,
  );
  return warped._tag === "Left"
    ? warped
    : E.right({ image: warped.right, region: [x1, y1, cw, ch] });
};
