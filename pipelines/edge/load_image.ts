/**
 * Loading images: any supported input to packed RGB, upright and within the pixel limit.
 * Encoded images (paths, URLs, bytes: JPEG, PNG, GIF, TIFF) have their headers checked before
 * decoding, so that an image declaring a huge size never reaches the decoder; they are turned
 * upright by their EXIF orientation (`load_encoded.ts`). Grayscale and RGBA become RGB (alpha is
 * dropped); imagescript Images, packed RGB and tensors are converted. An image over the limit is
 * an InputError, or with `downscale` is area-downscaled to fit.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/Either.js";
// @ts-types="./imagescript.d.ts"
import type { Image } from "imagescript";
import { type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { RgbImage } from "../../lib/image.ts";
import type { Result } from "../../lib/result.ts";
import {
  describeEncoded,
  fit,
  type Loaded,
  loaded,
  type LoadedImage,
  loadEncoded,
  type LoadOptions,
  withLimits,
} from "./load_encoded.ts";

export type { Orientation } from "../../lib/exif.ts";
export type { LoadedImage, LoadOptions } from "./load_encoded.ts";

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

/**
 * An imagescript `Image`, recognised by its shape (RGBA `bitmap` of width * height pixels), so
 * that imagescript is loaded only when a decoder needs it.
 */
const isImagescriptImage = (u: unknown): u is Image => {
  if (typeof u !== "object" || u === null) return false;
  const i = u as { bitmap?: unknown; width?: unknown; height?: unknown };
  return i.bitmap instanceof Uint8ClampedArray && Number.isInteger(i.width) &&
    Number.isInteger(i.height) &&
    i.bitmap.length === (i.width as number) * (i.height as number) * 4;
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
  typeof u === "object" && u !== null && !isImagescriptImage(u) &&
  (u as RgbImage).data instanceof Uint8Array && Number.isInteger((u as RgbImage).width) &&
  Number.isInteger((u as RgbImage).height);

/** A short name of an input for messages. */
export const describeInput = (input: ImageInput): string =>
  typeof input === "string" || input instanceof URL || input instanceof Uint8Array
    ? describeEncoded(input)
    : isImagescriptImage(input)
    ? `Image ${input.width}x${input.height}`
    : input instanceof tf.Tensor
    ? `tensor [${input.shape}]`
    : "image";

const load = async (input: ImageInput, max: number, o: LoadOptions): Promise<Loaded> => {
  if (typeof input === "string" || input instanceof URL || input instanceof Uint8Array) {
    return await loadEncoded(input, max, o);
  }
  const what = describeInput(input);
  const down = o.downscale === true;
  if (isImagescriptImage(input)) {
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
export const loadScaledImage = (
  input: ImageInput,
  maxPixels = 100_000_000,
  options: LoadOptions = {},
): Promise<Result<MtcnnError, LoadedImage>> =>
  withLimits(() => describeInput(input), maxPixels, options, () => load(input, maxPixels, options));

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
