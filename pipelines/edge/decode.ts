/**
 * Image decoding to RGBA or packed RGB: complete JPEGs with MozJPEG (`jpeg.ts`), everything else
 * and whatever MozJPEG refuses with imagescript (JPEG baseline and progressive, grayscale and
 * CMYK; PNG of every bit depth and colour type; GIF's first frame); TIFF with our own decoder
 * (`lib/codecs/tiff.ts`: imagescript's traps on common TIFFs). These functions decode
 * whatever they are given: check sizes first with `readImageHeader`, as `loadImage` does.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
// @ts-types="./imagescript.d.ts"
import type { Image } from "imagescript";
import { decodeTiff } from "../../lib/codecs/tiff.ts";
import { describe, type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import { rgbaToRgb, type RgbImage } from "../../lib/image.ts";
import {
  decodeFailure,
  encodedFormat,
  readImageHeader,
  sniffImageFormat,
} from "../../lib/image_header.ts";
import type { Result } from "../../lib/result.ts";
import { decodeJpegFast } from "./jpeg.ts";

/** The image format named by the first bytes (JPEG, PNG, GIF or TIFF), or undefined. */
export const sniffFormat = (bytes: Uint8Array): string | undefined => sniffImageFormat(bytes);

/** Packs RGBA pixels to RGB (alpha is dropped); one implementation for every runtime. */
export { rgbaToRgb };

/**
 * imagescript, loaded on first use: its module loads a native codec when it is evaluated (which
 * needs --allow-ffi), and JPEGs, the usual input, are decoded by MozJPEG without it.
 */
// @ts-types="./imagescript.d.ts"
const imagescript = () => import("imagescript");

/** Decodes encoded image bytes to an imagescript Image; a DecodeError says why it failed. */
export const decodeToImage = async (
  bytes: Uint8Array,
  what = "image",
): Promise<Result<MtcnnError, Image>> => {
  const sniffed = encodedFormat(bytes, what);
  if (sniffed._tag === "Left") return sniffed;
  const format = sniffed.right;
  let codecs: Awaited<ReturnType<typeof imagescript>>;
  try {
    codecs = await imagescript();
  } catch (e) {
    return E.left(mtcnnError(
      "DecodeError",
      `${what}: decoding ${format} needs imagescript, which did not load (it needs --allow-ffi ` +
        `and --allow-env): ${describe(e)}`,
      e,
    ));
  }
  const { GIF, Image } = codecs;
  if (format === "TIFF") {
    const t = await decodeTiffPixels(bytes, what);
    if (t._tag === "Left") return t;
    const img = new Image(t.right.width, t.right.height);
    img.bitmap.set(t.right.data);
    return E.right(img);
  }
  try {
    const img = format === "GIF" ? (await GIF.decode(bytes, true))[0] : await Image.decode(bytes);
    if (!(img instanceof Image) || img.width < 1 || img.height < 1) {
      return E.left(mtcnnError("DecodeError", `${what}: ${format} decoded to no pixels`));
    }
    return E.right(img);
  } catch (e) {
    return E.left(mtcnnError("DecodeError", `${what}: ${decodeFailure(bytes, format, e)}`, e));
  }
};

/** A TIFF with our decoder; a DecodeError names the file and what is wrong or unsupported. */
const decodeTiffPixels = async (
  bytes: Uint8Array,
  what: string,
): Promise<Result<MtcnnError, RgbaPixels>> => {
  try {
    const t = await decodeTiff(bytes);
    return t._tag === "Left"
      ? E.left(mtcnnError("DecodeError", `${what}: cannot decode TIFF: ${t.left}`))
      : t;
  } catch (e) {
    return E.left(mtcnnError("DecodeError", `${what}: cannot decode TIFF: ${describe(e)}`, e));
  }
};

/** Decoded pixels, RGBA, stored order. */
export interface RgbaPixels {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** width * height * 4 values. */
  readonly data: Uint8Array | Uint8ClampedArray;
}

/**
 * Decodes encoded image bytes to RGBA: complete JPEGs with MozJPEG (fast, and the reference's
 * decoder), everything else and whatever MozJPEG refuses with imagescript.
 */
export const decodeRgba = async (
  bytes: Uint8Array,
  what = "image",
): Promise<Result<MtcnnError, RgbaPixels>> => {
  if (sniffFormat(bytes) === "JPEG") {
    const header = readImageHeader(bytes);
    // A cut-off JPEG is an error, as with the reference's PIL; MozJPEG would fill it with grey.
    if (header._tag === "Right" && !header.right.truncated) {
      const fast = await decodeJpegFast(bytes);
      if (fast) return E.right(fast);
    }
  }
  if (sniffFormat(bytes) === "TIFF") return await decodeTiffPixels(bytes, what);
  const r = await decodeToImage(bytes, what);
  return r._tag === "Left"
    ? r
    : E.right({ width: r.right.width, height: r.right.height, data: r.right.bitmap });
};

/**
 * Decodes encoded image bytes to packed RGB, in stored pixel order (no EXIF orientation and no
 * size check: `loadImage` does both).
 */
export const decodeRgb = async (
  bytes: Uint8Array,
  what = "image",
): Promise<Result<MtcnnError, RgbImage>> => {
  const r = await decodeRgba(bytes, what);
  return r._tag === "Left" ? r : E.right(rgbaToRgb(r.right.width, r.right.height, r.right.data));
};
