/**
 * The load stage: any supported input to packed RGB. Paths and bytes are decoded (JPEG, PNG,
 * GIF, TIFF); grayscale and RGBA become RGB; imagescript Images and tensors are converted.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/Either.js";
import { Image } from "imagescript";
import { describe, type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { RgbImage } from "../../lib/image.ts";
import { readImageSize } from "../../lib/image_header.ts";
import type { Result, TaskResult } from "../../lib/result.ts";
import { decodeRgb, imageToRgb } from "../edge/decode.ts";
import { readBytes } from "../edge/files.ts";

/**
 * What `detect` accepts: a file path or URL, encoded bytes, an imagescript `Image`, packed
 * RGB, or a tensor of shape [H, W, 3] (or [H, W, 1], [H, W, 4], [1, H, W, C]) with values 0-255.
 */
export type ImageInput = string | URL | Uint8Array | Image | RgbImage | tf.Tensor;

const tooLarge = (w: number, h: number, max: number, what: string): MtcnnError =>
  mtcnnError(
    "InputError",
    `${what}: ${w}x${h} is ${w * h} pixels, more than the limit of ${max} (option maxPixels)`,
  );

const checkSize = (img: RgbImage, max: number, what: string): Result<MtcnnError, RgbImage> =>
  img.width * img.height > max ? E.left(tooLarge(img.width, img.height, max, what)) : E.right(img);

const fromBytes = async (
  bytes: Uint8Array,
  maxPixels: number,
  what: string,
): Promise<Result<MtcnnError, RgbImage>> => {
  const size = readImageSize(bytes);
  if (size && size.width * size.height > maxPixels) {
    return E.left(tooLarge(size.width, size.height, maxPixels, what));
  }
  const r = await decodeRgb(bytes, what);
  return r._tag === "Left" ? r : checkSize(r.right, maxPixels, what);
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

/**
 * Loads any {@linkcode ImageInput} as packed RGB, refusing images over `maxPixels` (before
 * decoding when the header says the size).
 *
 * @example
 * ```ts
 * import { loadImage } from "@mtcnn/mtcnn";
 * const r = await loadImage(new Uint8Array([1, 2, 3]))();
 * console.log(r._tag === "Left" && r.left._tag); // "DecodeError"
 * ```
 */
export const loadImage = (
  input: ImageInput,
  maxPixels = 100_000_000,
): TaskResult<MtcnnError, RgbImage> =>
async () => {
  const what = describeInput(input);
  try {
    if (typeof input === "string" || input instanceof URL) {
      const bytes = await readBytes(input)();
      return bytes._tag === "Left" ? bytes : await fromBytes(bytes.right, maxPixels, what);
    }
    if (input instanceof Uint8Array) return await fromBytes(input, maxPixels, what);
    if (input instanceof Image) return checkSize(imageToRgb(input), maxPixels, what);
    if (input instanceof tf.Tensor) {
      const r = await fromTensor(input, what);
      return r._tag === "Left" ? r : checkSize(r.right, maxPixels, what);
    }
    if (isRgbImage(input)) {
      if (
        input.width < 1 || input.height < 1 || input.data.length !== input.width * input.height * 3
      ) {
        return E.left(
          mtcnnError(
            "InputError",
            `${what}: RGB data must hold width * height * 3 = ${
              input.width * input.height * 3
            } bytes, got ${input.data.length}`,
          ),
        );
      }
      return checkSize(input, maxPixels, what);
    }
    return E.left(
      mtcnnError(
        "InputError",
        "unsupported input: give a file path, bytes, an imagescript Image, RGB data or a tensor",
      ),
    );
  } catch (e) {
    return E.left(mtcnnError("DecodeError", `${what}: ${describe(e)}`, e));
  }
};
