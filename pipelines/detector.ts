/**
 * The detector most users want: weights in once, then `detect` on any number of images.
 *
 * @module
 */
import { installWasmConvKernels } from "../lib/kernels/wasm_conv.ts";
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../lib/errors.ts";
import { disposeTensors, toTensors } from "../lib/nets/tensors.ts";
import type { Result } from "../lib/result.ts";
import { checkWeights, type MtcnnWeights, type ONetWeights } from "../lib/weights/record.ts";
import {
  type CascadeTensors,
  type Detection,
  faceAndLandmarks,
  faceOnly,
  runCascade,
} from "./cascade.ts";
import { type DetectOptions, resolveOptions } from "./options.ts";
import type { ImageInput } from "./stages/load.ts";
import type { Stage } from "./state.ts";

/** Which preset cascade a detector runs. */
export type CascadeName = "faceAndLandmarks" | "faceOnly";

/** Options of {@linkcode createDetector}: detection options plus the cascade. */
export interface DetectorOptions extends DetectOptions {
  /** `faceAndLandmarks` (P, R, O; default) or `faceOnly` (P, R). */
  readonly cascade?: CascadeName;
  /** Build your own stage list from the detector's tensors; overrides `cascade`. */
  readonly stages?: (tensors: CascadeTensors) => readonly Stage[];
  /**
   * The landmark stage's ONet for `landmarks: "refined"` (e.g. one fine-tuned for landmarks,
   * docs/training.md). Default: the detector's own ONet.
   */
  readonly landmarkOnet?: ONetWeights;
}

/** A detector holding its weights as tensors. Call `dispose()` when done. */
export interface Detector {
  /** Detects the faces of one image; failures are values, never exceptions. */
  detect(input: ImageInput, options?: DetectOptions): Promise<Result<MtcnnError, Detection>>;
  /** Detects many images one after another; a failure of one does not stop the others. */
  detectMany(
    inputs: readonly ImageInput[],
    options?: DetectOptions,
  ): Promise<Result<MtcnnError, Detection>[]>;
  /** Frees the weight tensors; the detector cannot be used afterwards. */
  dispose(): void;
}

/**
 * Creates a detector from explicit weights. Checks the weights (shapes, finite values) and
 * the options first.
 *
 * @example
 * ```ts
 * import { createDetector, loadDefaultWeights, useBackend } from "@mtcnn/mtcnn";
 * await useBackend("auto")();
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const d = createDetector(w.right);
 *   if (d._tag === "Right") {
 *     const r = await d.right.detect("photo.jpg");
 *     if (r._tag === "Right") console.log(r.right.faces);
 *     else console.error(r.left.message);
 *     d.right.dispose();
 *   }
 * }
 * ```
 */
export const createDetector = (
  weights: MtcnnWeights,
  options: DetectorOptions = {},
): Result<MtcnnError, Detector> => {
  const opts = resolveOptions(options);
  if (opts._tag === "Left") return opts;
  for (const net of ["pnet", "rnet", "onet"] as const) {
    const c = checkWeights(net, weights?.[net]);
    if (c._tag === "Left") return c;
  }
  const lm = checkLandmarkOptions(options);
  if (lm._tag === "Left") return lm;
  // Our convolution kernels, also when the wasm backend was started without useBackend.
  installWasmConvKernels();
  const tensors: CascadeTensors = {
    pnet: toTensors(weights.pnet),
    rnet: toTensors(weights.rnet),
    onet: toTensors(weights.onet),
    landmarkOnet: options.landmarkOnet ? toTensors(options.landmarkOnet) : undefined,
  };
  const stages = options.stages
    ? options.stages(tensors)
    : options.cascade === "faceOnly"
    ? faceOnly(tensors)
    : faceAndLandmarks(tensors);
  return E.right(detectorOf(stages, options, false, () => {
    disposeTensors(tensors.pnet);
    disposeTensors(tensors.rnet);
    disposeTensors(tensors.onet);
    if (tensors.landmarkOnet) disposeTensors(tensors.landmarkOnet);
  }));
};

/**
 * Checks the landmark options of a detector: a `landmarkOnet` must be valid ONet weights, and
 * the face-only cascade has no landmarks to refine.
 */
export const checkLandmarkOptions = (
  options: DetectOptions & {
    readonly cascade?: CascadeName;
    readonly landmarkOnet?: ONetWeights;
  },
): Result<MtcnnError, void> => {
  if (options.landmarkOnet) {
    const c = checkWeights("onet", options.landmarkOnet);
    if (c._tag === "Left") {
      return E.left(mtcnnError("WeightsError", `landmarkOnet: ${c.left.message}`, c.left));
    }
  }
  if (options.cascade === "faceOnly" && options.landmarks === "refined") {
    return E.left(
      mtcnnError("OptionError", 'landmarks: "refined" needs the ONet cascade, not faceOnly'),
    );
  }
  return E.right(undefined);
};

/** A {@linkcode Detector} running `stages`; `release` frees what they hold. */
export const detectorOf = (
  stages: readonly Stage[],
  options: DetectOptions,
  sharedMemory: boolean,
  release: () => void,
): Detector => {
  let disposed = false;
  const detect = (input: ImageInput, extra: DetectOptions = {}) =>
    disposed
      ? Promise.resolve(E.left(mtcnnError("InputError", "this detector has been disposed")))
      : runCascade(stages, { ...options, ...extra }, sharedMemory)(input)();
  return {
    detect,
    detectMany: async (inputs, extra) => {
      const out: Result<MtcnnError, Detection>[] = [];
      for (const input of inputs) out.push(await detect(input, extra));
      return out;
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      release();
    },
  };
};
