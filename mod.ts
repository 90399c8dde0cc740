/**
 * MTCNN face detection for Deno: PNet -> RNet -> ONet, giving each face's box, confidence and
 * five landmarks, the same faces as the reference implementations give with the same weights.
 *
 * ```ts
 * import { createDetector } from "@mtcnn/mtcnn";
 *
 * const detector = await createDetector(); // embedded weights, wasm backend
 * if (detector._tag === "Left") throw new Error(detector.left.message);
 * const result = await detector.right.detect("photo.jpg");
 * console.log(result._tag === "Right" ? result.right.faces : result.left.message);
 * ```
 *
 * Every fallible call resolves to a `Result` (fp-ts's `Either`: `_tag` `"Left"` with an
 * {@linkcode MtcnnError}, or `"Right"` with the value); nothing throws for bad input.
 *
 * More behind named entry points: `@mtcnn/mtcnn/stages` (compose your own cascade),
 * `@mtcnn/mtcnn/weights` (read, write, convert weights), `@mtcnn/mtcnn/align` (aligned face
 * crops), `@mtcnn/mtcnn/eval` (WIDER FACE and landmark evaluation), `@mtcnn/mtcnn/train`
 * (training the three nets), `@mtcnn/mtcnn/cli` (the command line).
 *
 * @module
 */

export { createDetector } from "./pipelines/detector.ts";
export type {
  CascadeName,
  DetectCallOptions,
  DetectedItem,
  DetectManyOptions,
  Detector,
  DetectorOptions,
} from "./pipelines/detector_types.ts";
export type { Detection } from "./pipelines/detection.ts";
export {
  type BoxFormat,
  type Face,
  KEYPOINT_NAMES,
  type Keypoints,
  type Point,
} from "./lib/face.ts";
export {
  type CropPadding,
  DEFAULT_OPTIONS,
  type DetectOptions,
  type Preset,
  PRESETS,
} from "./pipelines/options.ts";
export type { ImageInput, TensorImage } from "./pipelines/edge/load_image.ts";
// imagescript's Image, as our declarations type it (its own .d.ts does not parse for deno doc).
export type { Image } from "./pipelines/edge/imagescript.d.ts";
export type { RgbImage } from "./lib/image.ts";
export { isMtcnnError, type MtcnnError, type MtcnnErrorTag } from "./lib/errors.ts";
export type { Failure, Result, Success } from "./lib/result.ts";
export { type BackendName, useBackend } from "./pipelines/edge/backend.ts";
