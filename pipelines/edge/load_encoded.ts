/**
 * Loading encoded images (paths, URLs, bytes: JPEG, PNG, GIF, TIFF) to upright packed RGB within
 * the pixel limit: headers checked before decoding, EXIF orientation applied. Used by
 * `load_image.ts` and by the loader worker, which needs neither tfjs nor imagescript's classes (the
 * decoders load imagescript only for formats MozJPEG does not take).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { areaDownscale, fitToPixels } from "../../lib/downscale.ts";
import { describe, type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import { type Orientation, readExifOrientation } from "../../lib/exif.ts";
import type { RgbImage } from "../../lib/image.ts";
import { readImageHeader } from "../../lib/image_header.ts";
import { orientRgb } from "../../lib/orientation.ts";
import type { Result } from "../../lib/result.ts";
import { decodeRgba, decodeToImage, rgbaToRgb, sniffFormat } from "./decode.ts";
import { readBytes } from "./files.ts";

/** Options of `loadImage` beyond the pixel limit. */
export interface LoadOptions {
  /** Area-downscale an image over `maxPixels` to fit instead of refusing it. Default false. */
  readonly downscale?: boolean;
  /**
   * With `downscale`, the largest encoded image decoded at all, in pixels, checked from its
   * header (the decoder needs 4 bytes a pixel). Default 250 megapixels, or `maxPixels` if larger.
   */
  readonly maxDecodePixels?: number;
  /** Turn encoded images upright by their EXIF orientation. Default true. */
  readonly exifOrientation?: boolean;
}

/** A loaded image and how it relates to the image as displayed. */
export interface LoadedImage {
  /** Upright RGB pixels, downscaled when `downscale` was needed. */
  readonly image: RgbImage;
  /** Displayed width before any downscaling (after EXIF orientation). */
  readonly width: number;
  /** Displayed height before any downscaling (after EXIF orientation). */
  readonly height: number;
  /** `image.width / width`: 1 unless downscaled; divide x coordinates by it to map back. */
  readonly scaleX: number;
  /** `image.height / height`: 1 unless downscaled; divide y coordinates by it to map back. */
  readonly scaleY: number;
  /** The EXIF orientation that was applied (1 for none or for non-encoded inputs). */
  readonly orientation: Orientation;
}

/** 250 megapixels: a 1 GB RGBA bitmap in the decoder, the default decode limit of `downscale`. */
export const MAX_DECODE_PIXELS = 250_000_000;

export type Loaded = Result<MtcnnError, LoadedImage>;

const tooLarge = (w: number, h: number, max: number, what: string, option: string): MtcnnError =>
  mtcnnError(
    "InputError",
    `${what}: ${w}x${h} is ${w * h} pixels, more than the limit of ${max} (option ${option}` +
      (option === "maxPixels" ? "; or let large images be downscaled)" : ")"),
  );

/** Fits pixels (`channels` interleaved) to `maxPixels`, downscaling only when allowed. */
export const fit = (
  src: ArrayLike<number>,
  w: number,
  h: number,
  channels: 3 | 4,
  maxPixels: number,
  downscale: boolean,
  what: string,
): Result<MtcnnError, RgbImage> => {
  if (w * h <= maxPixels) {
    if (channels === 3) return E.right({ width: w, height: h, data: src as Uint8Array });
    return E.right(rgbaToRgb(w, h, src));
  }
  if (!downscale) return E.left(tooLarge(w, h, maxPixels, what, "maxPixels"));
  const size = fitToPixels(w, h, maxPixels);
  return E.right(areaDownscale(src, w, h, channels, size.width, size.height));
};

/** A loaded image, turned upright, with its displayed size and scale factors. */
export const loaded = (
  r: Result<MtcnnError, RgbImage>,
  stored: { width: number; height: number },
  orientation: Orientation,
): Loaded => {
  if (r._tag === "Left") return r;
  const image = orientRgb(r.right, orientation);
  const [width, height] = orientation >= 5
    ? [stored.height, stored.width]
    : [stored.width, stored.height];
  return E.right({
    image,
    width,
    height,
    scaleX: image.width / width,
    scaleY: image.height / height,
    orientation,
  });
};

const fromBytes = async (
  bytes: Uint8Array,
  maxPixels: number,
  o: LoadOptions,
  what: string,
): Promise<Loaded> => {
  const format = sniffFormat(bytes);
  if (!format) return await decodeToImage(bytes, what) as Loaded; // empty or unknown: a Left
  const header = readImageHeader(bytes);
  if (header._tag === "Left") {
    return E.left(mtcnnError("DecodeError", `${what}: cannot decode ${format}: ${header.left}`));
  }
  const downscale = o.downscale === true;
  const limit = downscale ? Math.max(maxPixels, o.maxDecodePixels ?? MAX_DECODE_PIXELS) : maxPixels;
  const option = downscale ? "maxDecodePixels" : "maxPixels";
  const { width: hw, height: hh } = header.right;
  if (hw * hh > limit) return E.left(tooLarge(hw, hh, limit, what, option));
  const orientation = o.exifOrientation === false ? 1 : readExifOrientation(bytes);
  const img = await decodeRgba(bytes, what);
  if (img._tag === "Left") return img;
  const { width: w, height: h, data } = img.right;
  if (w * h > limit) return E.left(tooLarge(w, h, limit, what, option));
  return loaded(fit(data, w, h, 4, maxPixels, downscale, what), img.right, orientation);
};

/** What an encoded input is called in messages: its path, URL, or byte count. */
export const describeEncoded = (input: string | URL | Uint8Array): string =>
  typeof input === "string" ? input : input instanceof URL ? input.href : `${input.length} bytes`;

/** Loads a path, URL or encoded bytes (no checks of the limits themselves; see below). */
export const loadEncoded = async (
  input: string | URL | Uint8Array,
  max: number,
  o: LoadOptions,
): Promise<Loaded> => {
  const what = describeEncoded(input);
  if (input instanceof Uint8Array) return await fromBytes(input, max, o, what);
  const bytes = await readBytes(input);
  return bytes._tag === "Left" ? bytes : await fromBytes(bytes.right, max, o, what);
};

/**
 * Checks the limits, then runs `load`; anything it throws becomes a DecodeError naming `what`.
 */
export const withLimits = async (
  what: () => string,
  maxPixels: number,
  options: LoadOptions,
  load: () => Promise<Loaded>,
): Promise<Loaded> => {
  const decodeLimit = options.maxDecodePixels ?? MAX_DECODE_PIXELS;
  for (const [name, v] of [["maxPixels", maxPixels], ["maxDecodePixels", decodeLimit]] as const) {
    if (!(v >= 1)) return E.left(mtcnnError("OptionError", `${name} must be >= 1, got ${v}`));
  }
  try {
    return await load();
  } catch (e) {
    return E.left(mtcnnError("DecodeError", `${what()}: ${describe(e)}`, e));
  }
};

/** `loadScaledImage` for encoded inputs only (the loader worker's entry). */
export const loadScaledEncoded = (
  input: string | Uint8Array,
  maxPixels: number,
  options: LoadOptions = {},
): Promise<Loaded> =>
  withLimits(
    () => describeEncoded(input),
    maxPixels,
    options,
    () => loadEncoded(input, maxPixels, options),
  );
