/**
 * Loading images: any supported input to packed RGB, upright and within the pixel limit.
 * Encoded images (paths, URLs, bytes: JPEG, PNG, GIF, TIFF) have their headers checked before
 * decoding, so that an image declaring a huge size never reaches the decoder; they are turned
 * upright by their EXIF orientation. Grayscale and RGBA become RGB (alpha is dropped);
 * imagescript Images, packed RGB and tensors are converted. An image over the limit is an
 * InputError, or with `downscale` is area-downscaled to fit.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/Either.js";
// @ts-types="./imagescript.d.ts"
import { Image } from "imagescript";
import { areaDownscale, fitToPixels } from "../../lib/downscale.ts";
import { describe, type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import { type Orientation, readExifOrientation } from "../../lib/exif.ts";
import type { RgbImage } from "../../lib/image.ts";
import { readImageHeader } from "../../lib/image_header.ts";
import { orientRgb } from "../../lib/orientation.ts";
import type { Result } from "../../lib/result.ts";
import { decodeRgba, decodeToImage, rgbaToRgb, sniffFormat } from "./decode.ts";
import { readBytes } from "./files.ts";

export type { Orientation } from "../../lib/exif.ts";

/**
 * What `detect` accepts: a file path or URL, encoded bytes, an imagescript `Image`, packed
 * RGB, or a tensor of shape [H, W, 3] (or [H, W, 1], [H, W, 4], [1, H, W, C]) with values 0-255.
 */
export type ImageInput = string | URL | Uint8Array | Image | RgbImage | TensorImage;

/**
 * A tfjs tensor holding an image, as {@linkcode ImageInput} names it: every `tf.Tensor` is one
 * (a local name keeps the published docs self-contained).
 */
export interface TensorImage {
  /** [H, W, C] or [1, H, W, C]. */
  readonly shape: readonly number[];
  /** Number of dimensions. */
  readonly rank: number;
  /** True once disposed. */
  readonly isDisposed: boolean;
  /** The values, read back asynchronously. */
  data(): Promise<unknown>;
}

/** Options of {@linkcode loadImage} beyond the pixel limit. */
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
const MAX_DECODE_PIXELS = 250_000_000;

type Loaded = Result<MtcnnError, LoadedImage>;

const tooLarge = (w: number, h: number, max: number, what: string, option: string): MtcnnError =>
  mtcnnError(
    "InputError",
    `${what}: ${w}x${h} is ${w * h} pixels, more than the limit of ${max} (option ${option}` +
      (option === "maxPixels" ? "; or let large images be downscaled)" : ")"),
  );

/** Fits pixels (`channels` interleaved) to `maxPixels`, downscaling only when allowed. */
const fit = (
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

const loaded = (
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

const fromTensor = async (t: tf.Tensor, what: string): Promise<Result<MtcnnError, RgbImage>> => {
  if (t.isDisposed) return E.left(mtcnnError("InputError", `${what}: the tensor is disposed`));
  const shape = t.rank === 4 && t.shape[0] === 1 ? t.shape.slice(1) : t.shape;
  if (shape.length !== 3 || ![1, 3, 4].includes(shape[2]) || shape[0] < 1 || shape[1] < 1) {
    return E.left(
      mtcnnError("InputError", `${what}: a tensor image must be [H, W, 1|3|4], got [${t.shape}]`),
    );
  }
  const [h, w, c] = shape;
  const values = await t.data();
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    for (let k = 0; k < 3; k++) {
      const v = Number(values[i * c + (c === 1 ? 0 : k)]);
      if (!Number.isFinite(v)) {
        return E.left(mtcnnError("InputError", `${what}: the tensor holds ${v} at pixel ${i}`));
      }
      data[i * 3 + k] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return E.right({ width: w, height: h, data });
};

const isRgbImage = (u: unknown): u is RgbImage =>
  typeof u === "object" && u !== null && !(u instanceof Image) &&
  (u as RgbImage).data instanceof Uint8Array && Number.isInteger((u as RgbImage).width) &&
  Number.isInteger((u as RgbImage).height);

/** A short name of an input for messages. */
export const describeInput = (input: ImageInput): string =>
  typeof input === "string"
    ? input
    : input instanceof URL
    ? input.href
    : input instanceof Uint8Array
    ? `${input.length} bytes`
    : input instanceof Image
    ? `Image ${input.width}x${input.height}`
    : input instanceof tf.Tensor
    ? `tensor [${input.shape}]`
    : "image";

const load = async (input: ImageInput, max: number, o: LoadOptions): Promise<Loaded> => {
  const what = describeInput(input);
  const down = o.downscale === true;
  if (typeof input === "string" || input instanceof URL) {
    const bytes = await readBytes(input);
    return bytes._tag === "Left" ? bytes : await fromBytes(bytes.right, max, o, what);
  }
  if (input instanceof Uint8Array) return await fromBytes(input, max, o, what);
  if (input instanceof Image) {
    return loaded(fit(input.bitmap, input.width, input.height, 4, max, down, what), input, 1);
  }
  if (input instanceof tf.Tensor) {
    const r = await fromTensor(input, what);
    if (r._tag === "Left") return r;
    return loaded(fit(r.right.data, r.right.width, r.right.height, 3, max, down, what), r.right, 1);
  }
  if (isRgbImage(input)) {
    const { width: w, height: h, data } = input;
    if (w < 1 || h < 1 || data.length !== w * h * 3) {
      const need = w * h * 3;
      return E.left(mtcnnError(
        "InputError",
        `${what}: RGB data must hold width * height * 3 = ${need} bytes, got ${data.length}`,
      ));
    }
    return loaded(fit(data, w, h, 3, max, down, what), input, 1);
  }
  return E.left(mtcnnError(
    "InputError",
    "unsupported input: give a file path, bytes, an imagescript Image, RGB data or a tensor",
  ));
};

/**
 * Loads any {@linkcode ImageInput} as upright packed RGB with its displayed size and the
 * downscale factors, for callers that map coordinates back to the displayed image.
 *
 * @example
 * ```ts
 * import { loadScaledImage } from "@mtcnn/mtcnn/stages";
 * const big = { width: 400, height: 300, data: new Uint8Array(400 * 300 * 3) };
 * const r = await loadScaledImage(big, 30_000, { downscale: true });
 * if (r._tag === "Right") console.log(r.right.image.width, r.right.scaleX); // 200 0.5
 * ```
 */
export const loadScaledImage = async (
  input: ImageInput,
  maxPixels = 100_000_000,
  options: LoadOptions = {},
): Promise<Result<MtcnnError, LoadedImage>> => {
  const decodeLimit = options.maxDecodePixels ?? MAX_DECODE_PIXELS;
  for (const [name, v] of [["maxPixels", maxPixels], ["maxDecodePixels", decodeLimit]] as const) {
    if (!(v >= 1)) return E.left(mtcnnError("OptionError", `${name} must be >= 1, got ${v}`));
  }
  try {
    return await load(input, maxPixels, options);
  } catch (e) {
    return E.left(mtcnnError("DecodeError", `${describeInput(input)}: ${describe(e)}`, e));
  }
};

/**
 * Loads any {@linkcode ImageInput} as upright packed RGB, refusing images over `maxPixels`
 * (before decoding when the header says the size) unless `options.downscale` is set.
 *
 * @example
 * ```ts
 * import { loadImage } from "@mtcnn/mtcnn/stages";
 * const r = await loadImage(new Uint8Array([1, 2, 3]));
 * console.log(r._tag === "Left" && r.left._tag); // "DecodeError"
 * ```
 */
export const loadImage = async (
  input: ImageInput,
  maxPixels = 100_000_000,
  options: LoadOptions = {},
): Promise<Result<MtcnnError, RgbImage>> => {
  const r = await loadScaledImage(input, maxPixels, options);
  return r._tag === "Left" ? r : E.right(r.right.image);
};
