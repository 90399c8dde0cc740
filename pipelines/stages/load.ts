/**
 * The load stage: any supported input to an upright RGB image within the pixel limit, and the
 * summed-area table every later stage cuts from.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { summedAreaTable } from "../../lib/area_resample.ts";
import { type ImageInput, type LoadedImage, loadScaledImage } from "../edge/load_image.ts";
import type { ImageState, Stage } from "../state.ts";

/** Parameters of {@linkcode load}. */
export interface LoadParams {
  /** Largest image accepted, in pixels; larger is an InputError. Default 100 megapixels. */
  readonly maxPixels?: number;
  /**
   * Area-downscale images over `maxPixels` to fit instead of refusing them; faces are mapped
   * back to the full-size image. Default false.
   */
  readonly downscale?: boolean;
  /**
   * Keep the summed-area table in shared memory, where worker threads can read it (a detector
   * with workers sets this). Default false.
   */
  readonly sharedMemory?: boolean;
}

/**
 * The load stage: a path, URL, bytes (JPEG, PNG, GIF, TIFF), imagescript Image, packed RGB or
 * tensor, decoded (headers checked before decoding), turned upright by its EXIF orientation.
 *
 * @example
 * ```ts
 * import { load } from "@mtcnn/mtcnn/stages";
 * const r = await load()({ width: 2, height: 1, data: new Uint8Array(6) });
 * if (r._tag === "Right") console.log(r.right.phase, r.right.image.width); // image 2
 * ```
 */
export const load = (params: LoadParams = {}): Stage<ImageInput, ImageState> => async (input) => {
  const t0 = performance.now();
  const loaded = await loadScaledImage(input, params.maxPixels ?? 100_000_000, {
    downscale: params.downscale === true,
  });
  if (loaded._tag === "Left") return loaded;
  return E.right(imageState(loaded.right, params.sharedMemory === true, performance.now() - t0));
};

/** The state of a loaded image (its summed-area table computed now). */
export const imageState = (
  loaded: LoadedImage,
  sharedMemory: boolean,
  decodeMs: number,
): ImageState => {
  const t1 = performance.now();
  const { image, width, height, scaleX, scaleY } = loaded;
  const sat = summedAreaTable(image, sharedMemory);
  return {
    phase: "image",
    image,
    sat,
    source: { width, height, scaleX, scaleY },
    timings: { decode: decodeMs, prepare: performance.now() - t1 },
  };
};
